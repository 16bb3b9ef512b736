//! `string_enum!`: enums with a stable stored text, a Chinese label and an English label.

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// The stable text stored in the database and used in the API.
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text,)+ } }
            pub fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh,)+ } }
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en,)+ } }
            pub fn parse(s: &str) -> Option<Self> { match s { $($text => Some($name::$variant),)+ _ => None } }
            /// Parse the Chinese label (as used in import files).
            pub fn from_label(s: &str) -> Option<Self> { match s { $($zh => Some($name::$variant),)+ _ => None } }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

pub(crate) use string_enum;

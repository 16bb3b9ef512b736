//! The lifecycle of a service item: draft → published → suspended → cancelled.
//!
//! Versions: publishing freezes the version; an edit of a published item makes a new draft version
//! (the published one stays in force and readable until the draft is published); every case keeps
//! the version it was filed under.

use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::enums::string_enum;

string_enum! {
    /// 事项状态
    ItemStatus {
        /// 草稿: never published.
        Draft = "draft", "草稿", "Draft";
        /// 已发布: in force, searchable, can be applied for.
        Published = "published", "已发布", "Published";
        /// 暂停: temporarily not offered (still readable).
        Suspended = "suspended", "暂停办理", "Suspended";
        /// 已取消: withdrawn for good.
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
}

/// What a catalogue manager does to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemAction {
    /// Save changes (a new draft version when the current one is frozen).
    Edit,
    /// Publish the newest draft version.
    Publish,
    Suspend,
    Resume,
    Cancel,
}

impl ItemAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemAction::Edit => "edit",
            ItemAction::Publish => "publish",
            ItemAction::Suspend => "suspend",
            ItemAction::Resume => "resume",
            ItemAction::Cancel => "cancel",
        }
    }
}

/// The status after `action`, or why it is not allowed now.
pub fn next_status(
    status: ItemStatus,
    action: ItemAction,
    has_draft: bool,
) -> Result<ItemStatus, Problem> {
    use ItemAction as A;
    use ItemStatus as S;
    let refuse = || {
        Problem::conflict(
            "item.transition",
            format!("“{}”状态的事项不能执行此操作", status.label_zh()),
            format!(
                "An item that is {} cannot be {}ed",
                status.label_en().to_lowercase(),
                action.as_str()
            ),
        )
    };
    match (status, action) {
        (S::Cancelled, _) => Err(refuse()),
        (s, A::Edit) => Ok(s),
        (S::Draft | S::Published, A::Publish) => {
            if has_draft {
                Ok(S::Published)
            } else {
                Err(Problem::conflict(
                    "item.nothing_to_publish",
                    "没有待发布的草稿版本",
                    "There is no draft version to publish",
                ))
            }
        }
        (S::Published, A::Suspend) => Ok(S::Suspended),
        (S::Suspended, A::Resume) => Ok(S::Published),
        (_, A::Cancel) => Ok(S::Cancelled),
        _ => Err(refuse()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ItemAction as A;
    use ItemStatus as S;

    #[test]
    fn the_lifecycle_moves_forward() {
        assert_eq!(
            next_status(S::Draft, A::Publish, true).unwrap(),
            S::Published
        );
        assert_eq!(
            next_status(S::Published, A::Suspend, false).unwrap(),
            S::Suspended
        );
        assert_eq!(
            next_status(S::Suspended, A::Resume, false).unwrap(),
            S::Published
        );
        assert_eq!(
            next_status(S::Published, A::Cancel, false).unwrap(),
            S::Cancelled
        );
        assert_eq!(
            next_status(S::Published, A::Publish, true).unwrap(),
            S::Published
        );
    }

    #[test]
    fn forbidden_moves_are_conflicts() {
        assert!(next_status(S::Draft, A::Suspend, true).is_err());
        assert!(next_status(S::Suspended, A::Publish, true).is_err());
        assert!(next_status(S::Draft, A::Publish, false).is_err());
        for a in [A::Edit, A::Publish, A::Suspend, A::Resume, A::Cancel] {
            assert!(next_status(S::Cancelled, a, true).is_err(), "{a:?}");
        }
    }
}

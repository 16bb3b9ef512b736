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

/// The status a life-event bundle (一件事) moves to when a manager asks for `to`, or why it may
/// not: a bundle has no versions, so it is published from a draft, suspended while published,
/// resumed (published again) while suspended and cancelled from any status but cancelled.
pub fn next_bundle_status(from: ItemStatus, to: ItemStatus) -> Result<ItemStatus, Problem> {
    use ItemStatus as S;
    let action = match (from, to) {
        (S::Suspended, S::Published) => ItemAction::Resume,
        (_, S::Published) => ItemAction::Publish,
        (_, S::Suspended) => ItemAction::Suspend,
        (_, S::Cancelled) => ItemAction::Cancel,
        (_, S::Draft) => {
            return Err(Problem::conflict(
                "bundle.transition",
                "一件事不能退回草稿状态",
                "A bundle cannot go back to draft",
            ));
        }
    };
    next_status(from, action, from == S::Draft).map_err(|_| {
        Problem::conflict(
            "bundle.transition",
            format!(
                "“{}”状态的一件事不能改为“{}”",
                from.label_zh(),
                to.label_zh()
            ),
            format!(
                "A bundle that is {} cannot become {}",
                from.label_en().to_lowercase(),
                to.label_en().to_lowercase()
            ),
        )
    })
}

string_enum! {
    /// 咨询状态: a question waits for its one answer.
    QuestionStatus {
        /// 待答复
        Open = "open", "待答复", "Open";
        /// 已答复
        Answered = "answered", "已答复", "Answered";
    }
}

/// The status of a question after it is answered, or why it cannot be: a question is answered
/// once (a second answer would overwrite what the asker was already sent).
pub fn answer_question(status: QuestionStatus) -> Result<QuestionStatus, Problem> {
    match status {
        QuestionStatus::Open => Ok(QuestionStatus::Answered),
        QuestionStatus::Answered => Err(already_answered()),
    }
}

/// 409 `question.already_answered`.
pub fn already_answered() -> Problem {
    Problem::conflict(
        "question.already_answered",
        "该咨询已答复，不能重复答复",
        "The question was already answered",
    )
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

    #[test]
    fn a_bundle_moves_only_along_its_lifecycle() {
        assert_eq!(
            next_bundle_status(S::Draft, S::Published).unwrap(),
            S::Published
        );
        assert_eq!(
            next_bundle_status(S::Published, S::Suspended).unwrap(),
            S::Suspended
        );
        assert_eq!(
            next_bundle_status(S::Suspended, S::Published).unwrap(),
            S::Published
        );
        assert_eq!(
            next_bundle_status(S::Published, S::Cancelled).unwrap(),
            S::Cancelled
        );
        for to in S::ALL {
            assert!(
                next_bundle_status(S::Cancelled, *to).is_err(),
                "cancelled is final"
            );
            assert!(
                next_bundle_status(*to, S::Draft).is_err(),
                "never back to draft"
            );
        }
        assert!(next_bundle_status(S::Draft, S::Suspended).is_err());
        assert!(next_bundle_status(S::Published, S::Published).is_err());
        assert!(next_bundle_status(S::Suspended, S::Suspended).is_err());
    }

    #[test]
    fn a_question_is_answered_once() {
        assert_eq!(
            answer_question(QuestionStatus::Open).unwrap(),
            QuestionStatus::Answered
        );
        let e = answer_question(QuestionStatus::Answered).unwrap_err();
        assert_eq!(e.code, "question.already_answered");
    }
}

//! 审查环节: a case's review steps from its item version, in series (串联) or in parallel (并联审批),
//! when the case may move to the decision, and the staged plans (并联+串联) of construction
//! projects (DOMAIN.md §1.3 [000, 002, 003]).
//!
//! Modelling choices:
//! - The catalogue's `Step`s carry a name, a role and a limit, no department and no parallel
//!   flag. Steps of the `window_officer` role (受理, 出件) are lifecycle events (`accept`,
//!   `deliver`), not review tasks; every other step is a review task of the implementing
//!   department, one stage each, in the listed order (串联).
//! - A joint case (联办件) adds one opinion task per participating department; the lead
//!   department's first review step and all participants' tasks form the first stage, dispatched
//!   together on acceptance ("the same day"); the lead's later steps (e.g. 决定) follow in series.
//! - The case may be decided when every task of every stage has an opinion. 并联审批 is unanimous
//!   for approval: one department's 不同意 means the case can only be refused (a real joint
//!   approval cannot issue a licence over a participating department's objection).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CaseRuleError;
use super::lifecycle::{CaseState, Outcome};
use super::limits::{CaseClock, Pause};
use crate::access::Role;
use crate::calendar::WorkingCalendar;
use crate::catalog::ItemBody;
use crate::enums::string_enum;

/// One review task: a step of the item, or a participating department's opinion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewTask {
    /// Stable within the case: `step1`, `step2`, … for the item's steps, `dept:<org id>` for a
    /// participating department.
    pub key: String,
    pub name: String,
    pub role: Role,
    /// The department that performs it; `None` for the item's implementing (lead) department.
    pub department: Option<String>,
    pub limit_days: u32,
}

/// Tasks that run at the same time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewStage {
    pub tasks: Vec<ReviewTask>,
}

/// The stages, in series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPlan {
    pub stages: Vec<ReviewStage>,
}

/// A department taking part in a joint case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Its organisation id.
    pub department: String,
    /// What it reviews, e.g. "消防安全审查".
    pub name: String,
    pub limit_days: u32,
}

string_enum! {
    /// 审查意见
    Verdict {
        /// 同意
        Agree = "agree", "同意", "Agree";
        /// 不同意
        Disagree = "disagree", "不同意", "Disagree";
    }
}

/// An opinion recorded on a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    pub task: String,
    pub verdict: Verdict,
    pub comment: String,
    pub at: DateTime<Utc>,
}

impl ReviewPlan {
    /// 串联: the item's back-office steps, one stage each.
    pub fn serial(item: &ItemBody) -> Self {
        let stages = review_steps(item)
            .into_iter()
            .map(|t| ReviewStage { tasks: vec![t] })
            .collect();
        ReviewPlan { stages }
    }

    /// 并联: the lead's first review step together with one task per participant, then the
    /// lead's remaining steps in series. Participants must be distinct and at least one.
    pub fn joint(item: &ItemBody, participants: &[Participant]) -> Result<Self, CaseRuleError> {
        if participants.is_empty() {
            return Err(CaseRuleError::invalid(
                "case.joint_no_participant",
                "联办件须至少有一个协办部门。",
                "A joint case needs at least one participating department.",
            ));
        }
        for (i, p) in participants.iter().enumerate() {
            if participants[..i]
                .iter()
                .any(|q| q.department == p.department)
            {
                return Err(CaseRuleError::invalid(
                    "case.joint_duplicate",
                    format!("协办部门“{}”重复。", p.name),
                    format!("Department \"{}\" is listed twice.", p.name),
                ));
            }
        }
        let mut own = review_steps(item).into_iter();
        let mut first: Vec<ReviewTask> = own.next().into_iter().collect();
        first.extend(participants.iter().map(|p| ReviewTask {
            key: format!("dept:{}", p.department),
            name: p.name.clone(),
            role: Role::ApprovingOfficer,
            department: Some(p.department.clone()),
            limit_days: p.limit_days,
        }));
        let mut stages = vec![ReviewStage { tasks: first }];
        stages.extend(own.map(|t| ReviewStage { tasks: vec![t] }));
        Ok(ReviewPlan { stages })
    }

    pub fn tasks(&self) -> impl Iterator<Item = &ReviewTask> {
        self.stages.iter().flat_map(|s| s.tasks.iter())
    }

    pub fn task(&self, key: &str) -> Option<&ReviewTask> {
        self.tasks().find(|t| t.key == key)
    }

    /// The plan's own length: the sum over stages of the longest task in each.
    pub fn total_limit_days(&self) -> u32 {
        self.stages
            .iter()
            .map(|s| s.tasks.iter().map(|t| t.limit_days).max().unwrap_or(0))
            .sum()
    }

    fn answered(opinions: &[Opinion], key: &str) -> bool {
        opinions.iter().any(|o| o.task == key)
    }

    fn stage_done(stage: &ReviewStage, opinions: &[Opinion]) -> bool {
        stage.tasks.iter().all(|t| Self::answered(opinions, &t.key))
    }

    /// The index of the first stage still waiting for an opinion; `None` when all have answered.
    pub fn current_stage(&self, opinions: &[Opinion]) -> Option<usize> {
        self.stages
            .iter()
            .position(|s| !Self::stage_done(s, opinions))
    }

    /// The tasks waiting now (what the officers' inboxes show).
    pub fn open_tasks(&self, opinions: &[Opinion]) -> Vec<&ReviewTask> {
        match self.current_stage(opinions) {
            Some(i) => self.stages[i]
                .tasks
                .iter()
                .filter(|t| !Self::answered(opinions, &t.key))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Checks that an officer holding `role` in `department` may record an opinion on `task`
    /// now: the task is open (its stage is current and it has no opinion yet), the department is
    /// the task's (`lead_department` for the item's own steps), and the role is the task's — a
    /// department head may also act for an approving officer of the department.
    pub fn check_opinion(
        &self,
        opinions: &[Opinion],
        task: &str,
        role: Role,
        department: &str,
        lead_department: &str,
    ) -> Result<&ReviewTask, CaseRuleError> {
        let Some(t) = self.task(task) else {
            return Err(CaseRuleError::invalid(
                "case.task_unknown",
                format!("本办件没有审查环节“{task}”。"),
                format!("The case has no review task \"{task}\"."),
            ));
        };
        if Self::answered(opinions, task) {
            return Err(CaseRuleError::conflict(
                "case.task_answered",
                format!("“{}”已提出意见。", t.name),
                format!("\"{}\" already has an opinion.", t.name),
            ));
        }
        if !self.open_tasks(opinions).iter().any(|o| o.key == task) {
            return Err(CaseRuleError::conflict(
                "case.task_not_open",
                format!("“{}”须待前一阶段完成后办理。", t.name),
                format!("\"{}\" waits for the previous stage.", t.name),
            ));
        }
        let dept = t.department.as_deref().unwrap_or(lead_department);
        let role_ok =
            role == t.role || (role == Role::DepartmentHead && t.role == Role::ApprovingOfficer);
        if dept != department || !role_ok {
            return Err(CaseRuleError::forbidden(
                "case.task_not_yours",
                format!("“{}”不由您所在部门或岗位办理。", t.name),
                format!("\"{}\" is not for your department or role.", t.name),
            ));
        }
        Ok(t)
    }

    /// Whether the case may move to the decision: every task of every stage has an opinion.
    pub fn may_decide(&self, opinions: &[Opinion]) -> Result<(), CaseRuleError> {
        let open: Vec<String> = self
            .tasks()
            .filter(|t| !Self::answered(opinions, &t.key))
            .map(|t| t.name.clone())
            .collect();
        if open.is_empty() {
            Ok(())
        } else {
            Err(CaseRuleError::conflict(
                "case.opinions_pending",
                format!("尚待以下环节提出意见：{}。", open.join("、")),
                format!("Still waiting for opinions from: {}.", open.join(", ")),
            ))
        }
    }

    /// [`may_decide`](Self::may_decide), plus: an approval needs every opinion to agree.
    pub fn check_decision(
        &self,
        opinions: &[Opinion],
        outcome: Outcome,
    ) -> Result<(), CaseRuleError> {
        self.may_decide(opinions)?;
        let against: Vec<String> = opinions
            .iter()
            .filter(|o| o.verdict == Verdict::Disagree)
            .filter_map(|o| self.task(&o.task).map(|t| t.name.clone()))
            .collect();
        if outcome != Outcome::Refused && !against.is_empty() {
            return Err(CaseRuleError::conflict(
                "case.approval_against_opinion",
                format!("“{}”不同意，不能作出准予决定。", against.join("、")),
                format!(
                    "{} disagreed; the case cannot be approved.",
                    against.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// When stage `i` started: at `dispatched_at` (the review started) for the first, at the last
    /// opinion of the stage before for the others; `None` if it has not started.
    pub fn stage_started_at(
        &self,
        i: usize,
        dispatched_at: DateTime<Utc>,
        opinions: &[Opinion],
    ) -> Option<DateTime<Utc>> {
        if i == 0 {
            return Some(dispatched_at);
        }
        let prev = self.stages.get(i - 1)?;
        if !Self::stage_done(prev, opinions) {
            return None;
        }
        prev.tasks
            .iter()
            .filter_map(|t| opinions.iter().find(|o| o.task == t.key).map(|o| o.at))
            .max()
    }

    /// The clock of a task (per-step limit, DOMAIN.md: "every case and step has a deadline"):
    /// started with its stage, paused with the case. `None` before its stage starts.
    pub fn task_clock(
        &self,
        task: &str,
        dispatched_at: DateTime<Utc>,
        opinions: &[Opinion],
        pauses: &[Pause],
    ) -> Option<CaseClock> {
        let i = self
            .stages
            .iter()
            .position(|s| s.tasks.iter().any(|t| t.key == task))?;
        let t = self.task(task)?;
        let start = self.stage_started_at(i, dispatched_at, opinions)?;
        let mut c = CaseClock::new(start, t.limit_days);
        c.pauses = pauses
            .iter()
            .filter(|p| p.until.is_none_or(|u| u > start))
            .copied()
            .collect();
        Some(c)
    }
}

fn review_steps(item: &ItemBody) -> Vec<ReviewTask> {
    item.steps
        .iter()
        .filter(|s| Role::parse(&s.role) != Some(Role::WindowOfficer))
        .enumerate()
        .map(|(i, s)| ReviewTask {
            key: format!("step{}", i + 1),
            name: s.name.clone(),
            role: Role::parse(&s.role).unwrap_or(Role::ApprovingOfficer),
            department: None,
            limit_days: s.limit_days,
        })
        .collect()
}

string_enum! {
    /// 工程建设项目审批阶段: the four stages in series \[003\].
    ConstructionStage {
        /// 立项用地规划许可
        ProjectLand = "project_land", "立项用地规划许可", "Project approval, land use and planning permit";
        /// 工程建设许可
        EngineeringPermit = "engineering_permit", "工程建设许可", "Engineering construction permit";
        /// 施工许可
        ConstructionPermit = "construction_permit", "施工许可", "Construction permit";
        /// 竣工验收
        CompletionAcceptance = "completion_acceptance", "竣工验收", "Completion acceptance";
    }
}

/// One stage of a project's plan: its items run in parallel, as linked cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedStage {
    pub stage: ConstructionStage,
    pub item_codes: Vec<String>,
    pub limit_days: u32,
}

/// 并联+串联 plan of a construction project, with its total limit (Hohhot: 67 or 96 working days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StagePlan {
    pub stages: Vec<PlannedStage>,
    pub total_limit_days: u32,
}

/// What happened to one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRecord {
    pub stage: ConstructionStage,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A stage's time against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageSummary {
    pub stage: ConstructionStage,
    pub limit_days: u32,
    /// Working days taken so far (to `now` while it runs).
    pub days_taken: u32,
    pub finished: bool,
}

impl StagePlan {
    /// The stages appear in the national order, each at most once (a small project may skip
    /// one, e.g. 立项 for a filed project), each with at least one item; their limits add up to
    /// at most the total.
    pub fn check(&self) -> Result<(), CaseRuleError> {
        let order_ok =
            !self.stages.is_empty() && self.stages.windows(2).all(|w| w[0].stage < w[1].stage);
        if !order_ok || self.stages.iter().any(|s| s.item_codes.is_empty()) {
            return Err(CaseRuleError::invalid(
                "project.stage_order",
                "审批阶段须按立项用地规划许可、工程建设许可、施工许可、竣工验收的顺序排列，各阶段至少一个事项。",
                "Stages follow the national order, each once, each with at least one item.",
            ));
        }
        let sum: u32 = self.stages.iter().map(|s| s.limit_days).sum();
        if sum > self.total_limit_days {
            return Err(CaseRuleError::invalid(
                "project.stage_days",
                format!(
                    "各阶段时限之和（{sum}）超过总时限（{}）。",
                    self.total_limit_days
                ),
                format!(
                    "The stages' limits ({sum}) exceed the total ({}).",
                    self.total_limit_days
                ),
            ));
        }
        Ok(())
    }

    /// A stage may start when every earlier stage of the plan has finished and it has not
    /// started yet (串联 between stages).
    pub fn may_start(
        &self,
        records: &[StageRecord],
        stage: ConstructionStage,
    ) -> Result<(), CaseRuleError> {
        if !self.stages.iter().any(|s| s.stage == stage) {
            return Err(CaseRuleError::invalid(
                "project.stage_not_planned",
                format!("项目计划中没有“{}”阶段。", stage.label_zh()),
                format!("The plan has no stage \"{}\".", stage.label_en()),
            ));
        }
        if records.iter().any(|r| r.stage == stage) {
            return Err(CaseRuleError::conflict(
                "project.stage_started",
                format!("“{}”阶段已开始。", stage.label_zh()),
                format!("Stage \"{}\" has already started.", stage.label_en()),
            ));
        }
        for earlier in self.stages.iter().filter(|s| s.stage < stage) {
            let done = records
                .iter()
                .any(|r| r.stage == earlier.stage && r.finished_at.is_some());
            if !done {
                return Err(CaseRuleError::conflict(
                    "project.previous_stage_open",
                    format!("须待“{}”阶段完成。", earlier.stage.label_zh()),
                    format!("Stage \"{}\" must finish first.", earlier.stage.label_en()),
                ));
            }
        }
        Ok(())
    }

    /// Each stage's working days against its limit, and the plan's total so far.
    pub fn progress(
        &self,
        cal: &WorkingCalendar,
        records: &[StageRecord],
        now: DateTime<Utc>,
    ) -> (Vec<StageSummary>, u32) {
        let summaries: Vec<StageSummary> = self
            .stages
            .iter()
            .filter_map(|p| {
                let r = records.iter().find(|r| r.stage == p.stage)?;
                let end = r.finished_at.unwrap_or(now);
                Some(StageSummary {
                    stage: p.stage,
                    limit_days: p.limit_days,
                    days_taken: cal.working_days_between(r.started_at, end, &[]),
                    finished: r.finished_at.is_some(),
                })
            })
            .collect();
        let total = summaries.iter().map(|s| s.days_taken).sum();
        (summaries, total)
    }
}

/// A stage is finished when every linked case of it has been decided (decided, completed or
/// delivered). A withdrawn, refused-at-the-door or transferred case leaves it open: the item
/// must be applied for again.
pub fn stage_finished(case_states: &[CaseState]) -> bool {
    !case_states.is_empty()
        && case_states.iter().all(|s| {
            matches!(
                s,
                CaseState::Decided | CaseState::Completed | CaseState::Delivered
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Step;
    use crate::catalog::item::tests::sample;
    use chrono::TimeDelta;
    use proptest::prelude::*;

    fn item() -> ItemBody {
        let mut i = sample();
        i.steps = vec![
            Step {
                name: "受理".into(),
                role: "window_officer".into(),
                limit_days: 1,
            },
            Step {
                name: "审查".into(),
                role: "approving_officer".into(),
                limit_days: 2,
            },
            Step {
                name: "决定".into(),
                role: "department_head".into(),
                limit_days: 1,
            },
            Step {
                name: "出件".into(),
                role: "window_officer".into(),
                limit_days: 1,
            },
        ];
        i
    }

    fn t(h: i64) -> DateTime<Utc> {
        "2025-06-04T02:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::hours(h)
    }

    fn op(task: &str, verdict: Verdict, h: i64) -> Opinion {
        Opinion {
            task: task.into(),
            verdict,
            comment: "意见".into(),
            at: t(h),
        }
    }

    fn participants() -> Vec<Participant> {
        vec![
            Participant {
                department: "fire".into(),
                name: "消防审查".into(),
                limit_days: 3,
            },
            Participant {
                department: "env".into(),
                name: "环保审查".into(),
                limit_days: 2,
            },
        ]
    }

    #[test]
    fn serial_plans_skip_front_desk_steps() {
        let p = ReviewPlan::serial(&item());
        let names: Vec<&str> = p.tasks().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["审查", "决定"]);
        assert_eq!(p.stages.len(), 2);
        assert_eq!(p.task("step2").unwrap().role, Role::DepartmentHead);
        assert_eq!(p.total_limit_days(), 3);
    }

    #[test]
    fn joint_plans_dispatch_everyone_at_once_and_decide_after_all() {
        let p = ReviewPlan::joint(&item(), &participants()).unwrap();
        assert_eq!(p.stages[0].tasks.len(), 3);
        assert_eq!(p.total_limit_days(), 3 + 1);
        let open: Vec<&str> = p.open_tasks(&[]).iter().map(|t| t.key.as_str()).collect();
        assert_eq!(open, ["step1", "dept:fire", "dept:env"]);
        // The lead's decision step waits for the stage.
        assert_eq!(
            p.check_opinion(&[], "step2", Role::DepartmentHead, "lead", "lead")
                .unwrap_err()
                .code,
            "case.task_not_open"
        );
        // Only the department's own officers answer its task.
        assert_eq!(
            p.check_opinion(&[], "dept:fire", Role::ApprovingOfficer, "env", "lead")
                .unwrap_err()
                .code,
            "case.task_not_yours"
        );
        assert_eq!(
            p.check_opinion(&[], "dept:fire", Role::WindowOfficer, "fire", "lead")
                .unwrap_err()
                .code,
            "case.task_not_yours"
        );
        assert!(
            p.check_opinion(&[], "dept:fire", Role::DepartmentHead, "fire", "lead")
                .is_ok()
        );
        assert_eq!(
            p.check_opinion(&[], "nope", Role::ApprovingOfficer, "fire", "lead")
                .unwrap_err()
                .code,
            "case.task_unknown"
        );
        let mut ops = vec![
            op("dept:fire", Verdict::Agree, 1),
            op("step1", Verdict::Agree, 2),
        ];
        assert_eq!(
            p.check_opinion(&ops, "dept:fire", Role::ApprovingOfficer, "fire", "lead")
                .unwrap_err()
                .code,
            "case.task_answered"
        );
        let e = p.may_decide(&ops).unwrap_err();
        assert_eq!(e.code, "case.opinions_pending");
        assert!(e.message.contains("环保审查") && e.message.contains("决定"));
        ops.push(op("dept:env", Verdict::Disagree, 5));
        assert_eq!(p.open_tasks(&ops)[0].key, "step2");
        assert_eq!(p.stage_started_at(1, t(0), &ops), Some(t(5)));
        assert!(
            p.check_opinion(&ops, "step2", Role::DepartmentHead, "lead", "lead")
                .is_ok()
        );
        ops.push(op("step2", Verdict::Disagree, 6));
        assert!(p.may_decide(&ops).is_ok());
        assert_eq!(
            p.check_decision(&ops, Outcome::Approved).unwrap_err().code,
            "case.approval_against_opinion"
        );
        assert!(p.check_decision(&ops, Outcome::Refused).is_ok());
        assert_eq!(
            ReviewPlan::joint(&item(), &[]).unwrap_err().code,
            "case.joint_no_participant"
        );
        let mut dup = participants();
        dup[1].department = "fire".into();
        assert_eq!(
            ReviewPlan::joint(&item(), &dup).unwrap_err().code,
            "case.joint_duplicate"
        );
    }

    #[test]
    fn task_clocks_start_with_their_stage() {
        let cal = WorkingCalendar::official();
        let p = ReviewPlan::serial(&item());
        let c1 = p.task_clock("step1", t(0), &[], &[]).unwrap();
        assert_eq!((c1.started_at, c1.limit_days), (t(0), 2));
        assert!(p.task_clock("step2", t(0), &[], &[]).is_none());
        let ops = vec![op("step1", Verdict::Agree, 30)];
        let c2 = p.task_clock("step2", t(0), &ops, &[]).unwrap();
        assert_eq!(c2.started_at, t(30));
        assert!(c2.deadline(&cal, t(30)) > t(30));
    }

    fn plan() -> StagePlan {
        use ConstructionStage as C;
        StagePlan {
            stages: vec![
                PlannedStage {
                    stage: C::ProjectLand,
                    item_codes: vec!["a".into(), "b".into()],
                    limit_days: 20,
                },
                PlannedStage {
                    stage: C::EngineeringPermit,
                    item_codes: vec!["c".into()],
                    limit_days: 20,
                },
                PlannedStage {
                    stage: C::ConstructionPermit,
                    item_codes: vec!["d".into()],
                    limit_days: 15,
                },
                PlannedStage {
                    stage: C::CompletionAcceptance,
                    item_codes: vec!["e".into()],
                    limit_days: 12,
                },
            ],
            total_limit_days: 67,
        }
    }

    #[test]
    fn stage_plans_run_in_series() {
        use ConstructionStage as C;
        let p = plan();
        assert!(p.check().is_ok());
        let mut bad = plan();
        bad.stages.swap(0, 1);
        assert_eq!(bad.check().unwrap_err().code, "project.stage_order");
        let mut long = plan();
        long.total_limit_days = 66;
        assert_eq!(long.check().unwrap_err().code, "project.stage_days");
        assert!(p.may_start(&[], C::ProjectLand).is_ok());
        assert_eq!(
            p.may_start(&[], C::ConstructionPermit).unwrap_err().code,
            "project.previous_stage_open"
        );
        let recs = vec![
            StageRecord {
                stage: C::ProjectLand,
                started_at: t(0),
                finished_at: Some(t(24 * 14)),
            },
            StageRecord {
                stage: C::EngineeringPermit,
                started_at: t(24 * 14),
                finished_at: Some(t(24 * 28)),
            },
            StageRecord {
                stage: C::ConstructionPermit,
                started_at: t(24 * 28),
                finished_at: None,
            },
        ];
        assert_eq!(
            p.may_start(&recs, C::ConstructionPermit).unwrap_err().code,
            "project.stage_started"
        );
        assert_eq!(
            p.may_start(&recs, C::CompletionAcceptance)
                .unwrap_err()
                .code,
            "project.previous_stage_open"
        );
        let cal = WorkingCalendar::official();
        let (summ, total) = p.progress(&cal, &recs, t(24 * 35));
        assert_eq!(summ.len(), 3);
        assert_eq!(summ[0].days_taken, 10);
        assert!(summ[0].finished && !summ[2].finished);
        assert_eq!(total, summ.iter().map(|s| s.days_taken).sum::<u32>());
        assert!(stage_finished(&[CaseState::Decided, CaseState::Delivered]));
        assert!(!stage_finished(&[CaseState::Decided, CaseState::InReview]));
        assert!(!stage_finished(&[CaseState::Withdrawn]));
        assert!(!stage_finished(&[]));
    }

    proptest! {
        /// Answering the open tasks in any order always reaches a decidable plan, never earlier.
        #[test]
        fn any_answer_order_completes_the_plan(seed in proptest::collection::vec(0usize..10, 0..12)) {
            let p = ReviewPlan::joint(&item(), &participants()).unwrap();
            let mut ops: Vec<Opinion> = Vec::new();
            let mut i = 0;
            loop {
                let open = p.open_tasks(&ops);
                if open.is_empty() { break; }
                prop_assert!(p.may_decide(&ops).is_err());
                let pick = open[seed.get(i).copied().unwrap_or(0) % open.len()].key.clone();
                ops.push(op(&pick, Verdict::Agree, i as i64));
                i += 1;
            }
            prop_assert_eq!(ops.len(), p.tasks().count());
            prop_assert!(p.may_decide(&ops).is_ok());
            prop_assert_eq!(p.current_stage(&ops), None);
        }
    }
}

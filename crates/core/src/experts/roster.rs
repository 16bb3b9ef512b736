//! 通知、确认、签到与替补: the committee after the draw — each member's answer and check-in, and
//! the replacement of a member who declines, does not answer, does not check in or must recuse,
//! by the next reserve of the same line, in draw order, exactly once.
//!
//! Exactly once: a seat leaves `invited`/`confirmed`/`checked_in` once; a second report of the same
//! decline (a gateway callback retried, two nodes handling it) meets a vacated seat and is refused
//! as a conflict, so it cannot consume a second reserve. The store persists the roster under a
//! version check so that two nodes cannot both apply the first report.
//!
//! When a line's reserve is used up the vacancy stays open and a supplementary draw (补抽) with the
//! same rules fills it ([`Roster::open_vacancies`], [`Roster::add_supplement`]).

use serde::{Deserialize, Serialize};

use super::draw::{DrawResult, Pick};
use crate::Problem;
use crate::enums::string_enum;
use crate::time::Micros;

string_enum! {
    /// 席位状态: where a drawn member stands.
    SeatState {
        /// 已通知 (voice call and SMS sent), awaiting an answer.
        Invited = "invited", "已通知", "Invited";
        /// 已确认参加
        Confirmed = "confirmed", "已确认", "Confirmed";
        /// 已签到 (identity checked at the evaluation site)
        CheckedIn = "checked_in", "已签到", "Checked in";
        /// 拒绝参加
        Declined = "declined", "拒绝参加", "Declined";
        /// 未在规定时间内应答
        NoAnswer = "no_answer", "未应答", "No answer";
        /// 未按时签到
        Absent = "absent", "未签到", "Absent";
        /// 回避 (a conflict came to light, e.g. on seeing the bidders at check-in)
        Recused = "recused", "回避", "Recused";
    }
}

impl SeatState {
    /// A vacated seat is replaced from the reserve.
    pub fn is_vacated(self) -> bool {
        matches!(
            self,
            SeatState::Declined | SeatState::NoAnswer | SeatState::Absent | SeatState::Recused
        )
    }
}

string_enum! {
    /// What happens to a seat.
    SeatEvent {
        /// 确认参加 (by gateway callback or on the expert's page)
        Confirm = "confirm", "确认参加", "Confirm";
        /// 拒绝参加 (also withdrawing an earlier confirmation)
        Decline = "decline", "拒绝参加", "Decline";
        /// 应答超时
        AnswerTimeout = "answer_timeout", "应答超时", "No answer in time";
        /// 签到
        CheckIn = "check_in", "签到", "Check in";
        /// 签到截止未到
        MissCheckIn = "miss_check_in", "未按时签到", "Missed check-in";
        /// 回避
        Recuse = "recuse", "回避", "Recuse";
    }
}

/// The state after `event`, or a conflict. An invited expert who arrives before the answer
/// deadline checks in directly (arriving is an answer); a checked-in expert may still recuse
/// before the evaluation begins (条例 Art. 46).
pub fn next_seat_state(from: SeatState, event: SeatEvent) -> Result<SeatState, Problem> {
    use SeatEvent as E;
    use SeatState as S;
    match (from, event) {
        (S::Invited, E::Confirm) => Ok(S::Confirmed),
        (S::Invited | S::Confirmed, E::Decline) => Ok(S::Declined),
        (S::Invited, E::AnswerTimeout) => Ok(S::NoAnswer),
        (S::Invited | S::Confirmed, E::CheckIn) => Ok(S::CheckedIn),
        (S::Invited | S::Confirmed, E::MissCheckIn) => Ok(S::Absent),
        (S::Invited | S::Confirmed | S::CheckedIn, E::Recuse) => Ok(S::Recused),
        _ => Err(Problem::conflict(
            "draw.seat_transition",
            format!("“{}”的专家不能“{}”。", from.label_zh(), event.label_zh()),
            format!(
                "A member who is {} cannot {}.",
                from.label_en().to_lowercase(),
                event.label_en().to_lowercase()
            ),
        )),
    }
}

/// One seat of the committee, held by one expert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Seat {
    pub expert_id: String,
    pub state: SeatState,
    pub from_fallback: bool,
    pub invited_at: Micros,
    /// The expert whose vacated seat this one fills.
    pub replaces: Option<String>,
    /// The evaluation site where the member checked in (远程异地评标: one committee, several sites).
    pub site: Option<String>,
}

/// The seats of one request line, vacated ones included (they are the history), and its reserve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineRoster {
    /// Members the line needs.
    pub count: u32,
    pub seats: Vec<Seat>,
    pub reserves: Vec<Pick>,
    /// How many reserves have been called, in order.
    pub reserves_used: usize,
}

impl LineRoster {
    pub fn active(&self) -> usize {
        self.seats.iter().filter(|s| !s.state.is_vacated()).count()
    }
}

/// 替补记录: one vacated seat, why, and who replaced it (`None`: the reserve was used up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Vacancy {
    pub line: usize,
    pub expert_id: String,
    pub event: SeatEvent,
    pub note: String,
    pub at: Micros,
    pub replacement: Option<String>,
}

/// What one event did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatChange {
    pub line: usize,
    pub state: SeatState,
    /// Set when the event vacated the seat.
    pub vacancy: Option<Vacancy>,
}

/// 评委名单: the committee of one filled draw, as it evolves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Roster {
    pub lines: Vec<LineRoster>,
    pub vacancies: Vec<Vacancy>,
}

impl Roster {
    /// Every member invited at `at` (the notification goes out with the roster's creation).
    pub fn new(result: &DrawResult, counts: &[u32], at: Micros) -> Self {
        let lines = result
            .lines
            .iter()
            .zip(counts)
            .map(|(l, &count)| LineRoster {
                count,
                seats: l
                    .members
                    .iter()
                    .map(|p| Seat {
                        expert_id: p.expert_id.clone(),
                        state: SeatState::Invited,
                        from_fallback: p.from_fallback,
                        invited_at: at,
                        replaces: None,
                        site: None,
                    })
                    .collect(),
                reserves: l.reserves.clone(),
                reserves_used: 0,
            })
            .collect();
        Roster {
            lines,
            vacancies: Vec::new(),
        }
    }

    /// The line and seat index of the expert's current (latest) seat.
    pub fn find(&self, expert_id: &str) -> Option<(usize, usize)> {
        self.lines.iter().enumerate().find_map(|(li, l)| {
            l.seats
                .iter()
                .rposition(|s| s.expert_id == expert_id)
                .map(|si| (li, si))
        })
    }

    /// Applies `event` to the expert's seat at `at`; a vacating event calls the line's next
    /// reserve (invited at `at`). A recusal needs a note saying what conflict came to light.
    pub fn apply(
        &mut self,
        expert_id: &str,
        event: SeatEvent,
        note: &str,
        at: Micros,
    ) -> Result<SeatChange, Problem> {
        let (li, si) = self
            .find(expert_id)
            .ok_or_else(|| Problem::not_found("评标专家", "Committee member"))?;
        if event == SeatEvent::Recuse && note.trim().is_empty() {
            return Err(Problem::invalid(
                "draw.recusal_reason",
                "回避须说明利害关系。",
                "A recusal must state the conflict.",
            ));
        }
        let line = &mut self.lines[li];
        let state = next_seat_state(line.seats[si].state, event)?;
        line.seats[si].state = state;
        let mut vacancy = None;
        if state.is_vacated() {
            let replacement = line.reserves.get(line.reserves_used).cloned();
            if let Some(r) = &replacement {
                line.reserves_used += 1;
                line.seats.push(Seat {
                    expert_id: r.expert_id.clone(),
                    state: SeatState::Invited,
                    from_fallback: r.from_fallback,
                    invited_at: at,
                    replaces: Some(expert_id.to_string()),
                    site: None,
                });
            }
            let v = Vacancy {
                line: li,
                expert_id: expert_id.to_string(),
                event,
                note: note.trim().to_string(),
                at,
                replacement: replacement.map(|r| r.expert_id),
            };
            self.vacancies.push(v.clone());
            vacancy = Some(v);
        }
        Ok(SeatChange {
            line: li,
            state,
            vacancy,
        })
    }

    /// 签到: the identity check passed at `site` (the app compares the ID card or face with the
    /// expert's record before calling this).
    pub fn check_in(
        &mut self,
        expert_id: &str,
        site: &str,
        at: Micros,
    ) -> Result<SeatChange, Problem> {
        if site.trim().is_empty() {
            return Err(Problem::invalid(
                "draw.site_required",
                "签到须记录评标地点。",
                "A check-in must record the evaluation site.",
            ));
        }
        let change = self.apply(expert_id, SeatEvent::CheckIn, "", at)?;
        let (li, si) = self.find(expert_id).expect("just applied");
        self.lines[li].seats[si].site = Some(site.trim().to_string());
        Ok(change)
    }

    /// Invited members whose answer window (`window` microseconds from their invitation) has
    /// passed at `now`: each gets [`SeatEvent::AnswerTimeout`].
    pub fn overdue(&self, now: Micros, window: Micros) -> Vec<String> {
        self.lines
            .iter()
            .flat_map(|l| &l.seats)
            .filter(|s| s.state == SeatState::Invited && now >= s.invited_at + window)
            .map(|s| s.expert_id.clone())
            .collect()
    }

    /// Seats each line still needs (its reserve used up): the counts of a supplementary draw.
    pub fn open_vacancies(&self) -> Vec<(usize, u32)> {
        self.lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let missing = (l.count as usize).saturating_sub(l.active());
                (missing > 0).then_some((i, missing as u32))
            })
            .collect()
    }

    /// Seats the members of a supplementary draw for `line` (invited at `at`), at most as many as
    /// are open; returns how many were seated.
    pub fn add_supplement(&mut self, line: usize, picks: &[Pick], at: Micros) -> usize {
        let Some(l) = self.lines.get_mut(line) else {
            return 0;
        };
        let open = (l.count as usize).saturating_sub(l.active());
        let mut unfilled: Vec<String> = self
            .vacancies
            .iter()
            .filter(|v| v.line == line && v.replacement.is_none())
            .map(|v| v.expert_id.clone())
            .collect();
        let mut seated = 0;
        for p in picks.iter().take(open) {
            let replaces = (!unfilled.is_empty()).then(|| unfilled.remove(0));
            if let Some(old) = &replaces
                && let Some(v) = self
                    .vacancies
                    .iter_mut()
                    .find(|v| v.line == line && &v.expert_id == old && v.replacement.is_none())
            {
                v.replacement = Some(p.expert_id.clone());
            }
            l.seats.push(Seat {
                expert_id: p.expert_id.clone(),
                state: SeatState::Invited,
                from_fallback: p.from_fallback,
                invited_at: at,
                replaces,
                site: None,
            });
            seated += 1;
        }
        seated
    }

    /// Every drawn expert — seated, vacated or in reserve — so that a supplementary draw leaves
    /// them out.
    pub fn everyone(&self) -> Vec<String> {
        self.lines
            .iter()
            .flat_map(|l| {
                l.seats
                    .iter()
                    .map(|s| s.expert_id.clone())
                    .chain(l.reserves.iter().map(|p| p.expert_id.clone()))
            })
            .collect()
    }

    /// The committee is complete when every line has its count of members checked in.
    pub fn is_complete(&self) -> bool {
        self.lines.iter().all(|l| {
            l.seats
                .iter()
                .filter(|s| s.state == SeatState::CheckedIn)
                .count()
                == l.count as usize
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experts::draw::LineResult;
    use proptest::prelude::*;

    fn pick(id: &str) -> Pick {
        Pick {
            expert_id: id.into(),
            from_fallback: false,
        }
    }

    fn roster() -> Roster {
        let result = DrawResult {
            algorithm: "yiwang-draw-v1".into(),
            seed: String::new(),
            lines: vec![
                LineResult {
                    members: vec![pick("A1"), pick("A2")],
                    reserves: vec![pick("A3"), pick("A4")],
                },
                LineResult {
                    members: vec![pick("B1")],
                    reserves: vec![],
                },
            ],
        };
        Roster::new(&result, &[2, 1], 100)
    }

    #[test]
    fn a_decline_is_replaced_by_the_next_reserve_in_order() {
        let mut r = roster();
        let c = r.apply("A1", SeatEvent::Decline, "出差", 200).unwrap();
        assert_eq!(c.state, SeatState::Declined);
        assert_eq!(c.vacancy.unwrap().replacement.as_deref(), Some("A3"));
        let c = r.apply("A3", SeatEvent::AnswerTimeout, "", 300).unwrap();
        assert_eq!(c.vacancy.unwrap().replacement.as_deref(), Some("A4"));
        let seat = &r.lines[0].seats[3];
        assert_eq!(
            (
                seat.expert_id.as_str(),
                seat.replaces.as_deref(),
                seat.invited_at
            ),
            ("A4", Some("A3"), 300)
        );
        assert_eq!(r.vacancies.len(), 2);
        assert_eq!(r.vacancies[0].note, "出差");
        assert!(r.open_vacancies().is_empty());
    }

    #[test]
    fn a_repeated_report_replaces_only_once() {
        let mut r = roster();
        r.apply("A2", SeatEvent::Decline, "", 200).unwrap();
        let err = r.apply("A2", SeatEvent::Decline, "", 201).unwrap_err();
        assert_eq!(err.code, "draw.seat_transition");
        assert_eq!(r.lines[0].reserves_used, 1);
        assert_eq!(r.vacancies.len(), 1);
        assert_eq!(
            r.apply("Z9", SeatEvent::Confirm, "", 1).unwrap_err().code,
            "not_found"
        );
    }

    #[test]
    fn an_empty_reserve_opens_a_supplementary_draw() {
        let mut r = roster();
        let c = r
            .apply("B1", SeatEvent::Recuse, "其配偶为投标人法定代表人", 500)
            .unwrap();
        assert_eq!(c.vacancy.unwrap().replacement, None);
        assert_eq!(r.open_vacancies(), [(1, 1)]);
        assert!(r.everyone().contains(&"A4".to_string()));
        assert_eq!(r.add_supplement(1, &[pick("B7"), pick("B8")], 600), 1);
        assert_eq!(r.vacancies[0].replacement.as_deref(), Some("B7"));
        assert!(r.open_vacancies().is_empty());
        assert_eq!(
            r.apply("B7", SeatEvent::Recuse, " ", 1).unwrap_err().code,
            "draw.recusal_reason"
        );
    }

    #[test]
    fn check_in_completes_the_committee() {
        let mut r = roster();
        r.apply("A1", SeatEvent::Confirm, "", 110).unwrap();
        r.check_in("A1", "乌海市交易中心3号评标室", 900).unwrap();
        r.check_in("A2", "呼和浩特市交易中心远程评标室", 900)
            .unwrap();
        assert_eq!(
            r.lines[0].seats[1].site.as_deref(),
            Some("呼和浩特市交易中心远程评标室")
        );
        assert_eq!(
            r.check_in("B1", " ", 900).unwrap_err().code,
            "draw.site_required"
        );
        assert!(!r.is_complete());
        assert_eq!(r.overdue(1000, 500), ["B1"]);
        assert!(r.overdue(599, 500).is_empty());
        r.apply("B1", SeatEvent::Confirm, "", 120).unwrap();
        r.check_in("B1", "乌海市交易中心3号评标室", 950).unwrap();
        assert!(r.is_complete());
        assert!(r.apply("A1", SeatEvent::Confirm, "", 1).is_err());
        let c = r.apply("A1", SeatEvent::MissCheckIn, "", 1);
        assert!(c.is_err(), "a checked-in member is not absent");
    }

    proptest! {
        /// Whatever happens, no expert holds two seats, reserves are called in order, and each
        /// line never has more active members than it needs.
        #[test]
        fn replacement_invariants(events in proptest::collection::vec((0usize..6, 0usize..6), 0..30)) {
            let mut r = roster();
            for (who, ev) in events {
                let ids = ["A1", "A2", "A3", "A4", "B1", "B7"];
                let _ = r.apply(ids[who], SeatEvent::ALL[ev], "冲突", 1);
                for l in &r.lines {
                    prop_assert!(l.active() <= l.count as usize);
                    let mut seen = std::collections::HashSet::new();
                    for s in &l.seats {
                        prop_assert!(seen.insert(&s.expert_id));
                    }
                    let called: Vec<&str> = l.seats.iter().filter(|s| s.replaces.is_some())
                        .map(|s| s.expert_id.as_str()).collect();
                    let expected: Vec<&str> = l.reserves[..l.reserves_used].iter()
                        .map(|p| p.expert_id.as_str()).collect();
                    prop_assert_eq!(called, expected);
                }
            }
        }
    }
}

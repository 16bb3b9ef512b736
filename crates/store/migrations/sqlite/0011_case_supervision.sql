-- 电子监察: the monthly bulletin reads the cases decided in a month.
CREATE INDEX cases_decided ON cases(decided_at);

-- 咨询 published as FAQ: the public wording (edited by staff, free of personal data) is kept apart
-- from the asker's question and the private answer to the asker. NULL: not published with a
-- wording of its own.
ALTER TABLE catalog_questions ADD COLUMN public_question TEXT;
ALTER TABLE catalog_questions ADD COLUMN public_answer TEXT;
CREATE INDEX catalog_questions_asker ON catalog_questions(asker_id);

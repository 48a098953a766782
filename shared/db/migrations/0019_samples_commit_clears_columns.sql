-- Committing a sample drops its saved columns in the same statement, on every driver (D1 has no
-- interactive transactions): a key written before inserts nothing and so clears nothing.
CREATE TRIGGER `samples_commit_clears_columns` AFTER INSERT ON `samples`
BEGIN
  DELETE FROM `sample_columns`
  WHERE `job_id` = NEW.`job_id` AND `row_index` = NEW.`row_index` AND `sample_index` = NEW.`sample_index`;
END;

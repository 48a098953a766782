-- The API key that created a job: its samples are metered as that key's calls (usage_events).
ALTER TABLE `jobs` ADD `key_id` text;
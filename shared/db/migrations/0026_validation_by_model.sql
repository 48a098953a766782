-- Each model's figures in the validation run of a comparison job's dataset (validation_runs.by_model).
ALTER TABLE `validation_runs` ADD `by_model` text;
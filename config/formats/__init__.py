"""Date and number formats per language (FORMAT_MODULE_PATH): one date format, day-month-year, typed and shown alike."""

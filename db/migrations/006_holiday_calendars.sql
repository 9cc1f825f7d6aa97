-- Holiday calendars published by an admin (the State Council's notice for a year),
-- versioned: every publication is a new version, new items take the latest at once
-- and running items receive it as a recorded event (see workflows/calendar-broadcast.ts).

CREATE TABLE holiday_calendar_versions (
  version       integer PRIMARY KEY,
  year          integer NOT NULL,
  source        text NOT NULL,
  holidays      jsonb NOT NULL,                 -- {"2027-02-06": "Spring Festival,春节"}: that year's days only
  workdays      jsonb NOT NULL,                 -- make-up workdays (调休) of that year
  published_by  text NOT NULL,
  published_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX holiday_calendar_versions_year_idx ON holiday_calendar_versions (year, version DESC);

-- A task's clock (office rules): pauses (中止计时), and whether its deadline is provisional.
ALTER TABLE tasks ADD COLUMN paused_at timestamptz;
ALTER TABLE tasks ADD COLUMN pauses integer NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN paused_working_days integer NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN deadline_provisional boolean NOT NULL DEFAULT false;
ALTER TABLE tasks ADD COLUMN deadline_shifted_days integer NOT NULL DEFAULT 0;

-- A civil party may withdraw its constitution (désistement): the date is
-- recorded, the row kept (the standing's history is evidence too).
ALTER TABLE civil_party_standings ADD COLUMN withdrawn_on date,
    ADD CONSTRAINT civil_party_standings_withdrawn_after CHECK (withdrawn_on >= constituted_on);

---- create above / drop below ----

ALTER TABLE civil_party_standings DROP COLUMN withdrawn_on;

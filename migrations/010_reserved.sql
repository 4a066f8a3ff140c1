-- Placeholder: number 010 is reserved for a change developed in parallel
-- (tern needs contiguous numbers, and 011 follows). Delete this file when
-- that change's 010 lands; it does nothing.
SELECT 1;

---- create above / drop below ----

SELECT 1;

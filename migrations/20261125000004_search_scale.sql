-- Search at scale. A remiss is found by its title and sender or, where the viewer
-- may read it, its description: one index over both gives the planner one estimate
-- of how common the words are, which decides between walking the newest remisser
-- (a common word) and the index (a rare one).
CREATE INDEX referrals_search_all_idx ON referrals USING gin ((search_public || search_description));

-- The public diarium's search walks the non-secret remisser newest first and tests
-- each one's public words: from an index that holds those words, it reads no
-- remiss's row (at 1,000,000 cases a common word walks ~14,000 remisser: 6.5 ms
-- through the rows, 2.0 ms through this index; 19 MB per 100,000 remisser).
CREATE INDEX referrals_public_words_idx ON referrals (created_at DESC, id DESC)
    INCLUDE (search_public, personal_data_found) WHERE NOT secret;

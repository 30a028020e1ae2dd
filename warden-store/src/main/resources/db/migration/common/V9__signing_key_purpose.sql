-- Access tokens and JWT-SVIDs are signed by different keys (published in different places), so a
-- token of one kind never verifies as the other. Keys that existed before sign access tokens.
ALTER TABLE signing_keys ADD COLUMN purpose VARCHAR(16) DEFAULT 'ACCESS_TOKEN' NOT NULL;
ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_purpose_ck CHECK (purpose IN ('ACCESS_TOKEN', 'JWT_SVID'));

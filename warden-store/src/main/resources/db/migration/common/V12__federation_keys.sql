-- Federation keys (decision 115) sign the tokens workloads present to AWS, GCP and Entra: a purpose
-- of their own, so they rotate apart from access-token keys and are RS256 by default.
ALTER TABLE signing_keys DROP CONSTRAINT signing_keys_purpose_ck;
ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_purpose_ck
  CHECK (purpose IN ('ACCESS_TOKEN', 'JWT_SVID', 'FEDERATION'));

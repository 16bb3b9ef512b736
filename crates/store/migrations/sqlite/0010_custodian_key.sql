-- 密钥托管: the section's custodian public key (hex of an uncompressed P-256 point). Bidders wrap
-- each bid's private key to it; its private half exists only as k-of-n shares held by custodians,
-- never in the database. NULL: no custodian key registered (bids are then opaque ciphertext).
ALTER TABLE trading_sections ADD COLUMN custodian_key TEXT;

//! The SQL of every [`crate::Tx`] method, written once and instantiated per backend.
//!
//! `$lock` is appended to a SELECT that must lock the row it reads (the ledger head); `$skip` to a
//! SELECT that claims work rows other nodes must skip. Both are empty on SQLite, where the write
//! transaction (`BEGIN IMMEDIATE`) already serialises writers.

macro_rules! impl_sql_tx {
    ($tx:ident, $db:ty, lock = $lock:literal, skip = $skip:literal) => {
        /// A transaction on this backend.
        pub struct $tx {
            pub(crate) inner: sqlx::Transaction<'static, $db>,
            /// The writer's turn (SQLite's in-process write queue); released after the
            /// transaction ends, so the next writer finds the lock free.
            pub(crate) _turn: Option<tokio::sync::OwnedSemaphorePermit>,
        }

        #[async_trait::async_trait]
        impl $crate::Tx for $tx {
            async fn commit(self: Box<Self>) -> $crate::Result<()> {
                self.inner.commit().await.map_err($crate::map_err)
            }

            async fn insert_region(&mut self, r: &$crate::Region) -> $crate::Result<()> {
                sqlx::query("INSERT INTO regions (code, name, parent_code, level) VALUES ($1, $2, $3, $4)")
                    .bind(&r.code).bind(&r.name).bind(&r.parent_code).bind(&r.level)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn get_region(&mut self, code: &str) -> $crate::Result<Option<$crate::Region>> {
                sqlx::query_as("SELECT code, name, parent_code, level FROM regions WHERE code = $1")
                    .bind(code).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_regions(&mut self) -> $crate::Result<Vec<$crate::Region>> {
                sqlx::query_as("SELECT code, name, parent_code, level FROM regions ORDER BY code")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn insert_organisation(&mut self, o: &$crate::Organisation) -> $crate::Result<()> {
                sqlx::query("INSERT INTO organisations (id, name, name_en, kind, region_code, parent_id, path, credit_code, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                    .bind(&o.id).bind(&o.name).bind(&o.name_en).bind(&o.kind).bind(&o.region_code)
                    .bind(&o.parent_id).bind(&o.path).bind(&o.credit_code).bind(o.created_at).bind(o.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn update_organisation(&mut self, o: &$crate::Organisation) -> $crate::Result<()> {
                sqlx::query("UPDATE organisations SET name = $2, name_en = $3, kind = $4, region_code = $5, credit_code = $6, updated_at = $7 WHERE id = $1")
                    .bind(&o.id).bind(&o.name).bind(&o.name_en).bind(&o.kind).bind(&o.region_code)
                    .bind(&o.credit_code).bind(o.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn get_organisation(&mut self, id: &str) -> $crate::Result<Option<$crate::Organisation>> {
                sqlx::query_as("SELECT id, name, name_en, kind, region_code, parent_id, path, credit_code, created_at, updated_at FROM organisations WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_organisations(&mut self, path_prefix: &str) -> $crate::Result<Vec<$crate::Organisation>> {
                // A prefix test that does not depend on the database's collation (a range
                // comparison would, and LIKE would need its wildcards escaped).
                sqlx::query_as("SELECT id, name, name_en, kind, region_code, parent_id, path, credit_code, created_at, updated_at FROM organisations WHERE substr(path, 1, length($1)) = $1 ORDER BY path")
                    .bind(path_prefix)
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn insert_user(&mut self, u: &$crate::User) -> $crate::Result<()> {
                sqlx::query("INSERT INTO users (id, username, display_name, kind, id_number, credit_code, phone, email, password_hash, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                    .bind(&u.id).bind(&u.username).bind(&u.display_name).bind(&u.kind).bind(&u.id_number)
                    .bind(&u.credit_code).bind(&u.phone).bind(&u.email).bind(&u.password_hash).bind(&u.status)
                    .bind(u.created_at).bind(u.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn update_user(&mut self, u: &$crate::User) -> $crate::Result<()> {
                sqlx::query("UPDATE users SET display_name = $2, phone = $3, email = $4, password_hash = $5, status = $6, updated_at = $7 WHERE id = $1")
                    .bind(&u.id).bind(&u.display_name).bind(&u.phone).bind(&u.email).bind(&u.password_hash)
                    .bind(&u.status).bind(u.updated_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn get_user(&mut self, id: &str) -> $crate::Result<Option<$crate::User>> {
                sqlx::query_as("SELECT id, username, display_name, kind, id_number, credit_code, phone, email, password_hash, status, created_at, updated_at FROM users WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn find_user_by_username(&mut self, username: &str) -> $crate::Result<Option<$crate::User>> {
                sqlx::query_as("SELECT id, username, display_name, kind, id_number, credit_code, phone, email, password_hash, status, created_at, updated_at FROM users WHERE username = $1")
                    .bind(username).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_users(&mut self) -> $crate::Result<Vec<$crate::User>> {
                sqlx::query_as("SELECT id, username, display_name, kind, id_number, credit_code, phone, email, password_hash, status, created_at, updated_at FROM users ORDER BY username")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn insert_grant(&mut self, g: &$crate::RoleGrant) -> $crate::Result<()> {
                sqlx::query("INSERT INTO role_grants (id, user_id, role, org_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&g.id).bind(&g.user_id).bind(&g.role).bind(&g.org_id).bind(g.created_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn list_grants(&mut self) -> $crate::Result<Vec<$crate::RoleGrant>> {
                sqlx::query_as("SELECT id, user_id, role, org_id, created_at FROM role_grants ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn grants_of_user(&mut self, user_id: &str) -> $crate::Result<Vec<$crate::GrantView>> {
                sqlx::query_as("SELECT g.role AS role, o.id AS org_id, o.path AS org_path, o.name AS org_name, o.name_en AS org_name_en FROM role_grants g JOIN organisations o ON o.id = g.org_id WHERE g.user_id = $1 ORDER BY o.path, g.role")
                    .bind(user_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn insert_session(&mut self, s: &$crate::Session) -> $crate::Result<()> {
                sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&s.token_hash).bind(&s.user_id).bind(&s.csrf_token).bind(s.created_at).bind(s.expires_at).bind(s.revoked_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn get_session(&mut self, token_hash: &str) -> $crate::Result<Option<$crate::Session>> {
                sqlx::query_as("SELECT token_hash, user_id, csrf_token, created_at, expires_at, revoked_at FROM sessions WHERE token_hash = $1")
                    .bind(token_hash).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn revoke_session(&mut self, token_hash: &str, at: i64) -> $crate::Result<()> {
                sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
                    .bind(token_hash).bind(at).execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn revoke_user_sessions(&mut self, user_id: &str, at: i64) -> $crate::Result<u64> {
                let r = sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
                    .bind(user_id).bind(at).execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected())
            }

            async fn insert_api_token(&mut self, t: &$crate::ApiToken) -> $crate::Result<()> {
                sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, revoked_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&t.id).bind(&t.user_id).bind(&t.name).bind(&t.token_hash).bind(t.created_at).bind(t.revoked_at).bind(t.expires_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn update_api_token(&mut self, t: &$crate::ApiToken) -> $crate::Result<()> {
                sqlx::query("UPDATE api_tokens SET name = $2, revoked_at = $3 WHERE id = $1")
                    .bind(&t.id).bind(&t.name).bind(t.revoked_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn get_api_token(&mut self, id: &str) -> $crate::Result<Option<$crate::ApiToken>> {
                sqlx::query_as("SELECT id, user_id, name, token_hash, created_at, revoked_at, expires_at FROM api_tokens WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn find_api_token(&mut self, token_hash: &str) -> $crate::Result<Option<$crate::ApiToken>> {
                sqlx::query_as("SELECT id, user_id, name, token_hash, created_at, revoked_at, expires_at FROM api_tokens WHERE token_hash = $1")
                    .bind(token_hash).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_api_tokens(&mut self) -> $crate::Result<Vec<$crate::ApiToken>> {
                sqlx::query_as("SELECT id, user_id, name, token_hash, created_at, revoked_at, expires_at FROM api_tokens ORDER BY id")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn unrevoked_api_tokens_of_user(&mut self, user_id: &str) -> $crate::Result<Vec<$crate::ApiToken>> {
                sqlx::query_as("SELECT id, user_id, name, token_hash, created_at, revoked_at, expires_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id")
                    .bind(user_id).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn merkle_size(&mut self) -> $crate::Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_merkle WHERE level = 0")
                    .fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(n)
            }

            async fn merkle_node(&mut self, level: i64, index: i64) -> $crate::Result<Option<String>> {
                let row: Option<(String,)> = sqlx::query_as("SELECT hash FROM ledger_merkle WHERE level = $1 AND idx = $2")
                    .bind(level).bind(index).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(row.map(|(h,)| h))
            }

            async fn insert_merkle_nodes(&mut self, nodes: &[(i64, i64, String)]) -> $crate::Result<()> {
                for (level, index, hash) in nodes {
                    sqlx::query("INSERT INTO ledger_merkle (level, idx, hash) VALUES ($1, $2, $3)")
                        .bind(level).bind(index).bind(hash)
                        .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                }
                Ok(())
            }

            async fn merkle_nodes_after(&mut self, level: i64, index: i64, limit: i64) -> $crate::Result<Vec<(i64, i64, String)>> {
                sqlx::query_as("SELECT level, idx, hash FROM ledger_merkle WHERE level > $1 OR (level = $1 AND idx > $2) ORDER BY level, idx LIMIT $3")
                    .bind(level).bind(index).bind(limit)
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn insert_sign_in_failure(&mut self, f: &$crate::SignInFailure) -> $crate::Result<()> {
                sqlx::query("INSERT INTO sign_in_failures (id, at, username, user_id, address, channel, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&f.id).bind(f.at).bind(&f.username).bind(&f.user_id).bind(&f.address).bind(&f.channel).bind(&f.reason)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn recent_sign_in_failures(&mut self, since: i64, limit: i64) -> $crate::Result<Vec<$crate::SignInFailure>> {
                sqlx::query_as("SELECT id, at, username, user_id, address, channel, reason FROM sign_in_failures WHERE at >= $1 ORDER BY at DESC, id DESC LIMIT $2")
                    .bind(since).bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn count_sign_in_failures_of_username(&mut self, username: &str, since: i64) -> $crate::Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sign_in_failures WHERE username = $1 AND at >= $2")
                    .bind(username).bind(since).fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(n)
            }

            async fn delete_sign_in_failures(&mut self, before: i64) -> $crate::Result<u64> {
                let r = sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
                    .bind(before).execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected())
            }

            async fn insert_calendar_version(
                &mut self,
                v: &$crate::CalendarVersion,
                days: &[yiwang_core::calendar::CalendarEntry],
            ) -> $crate::Result<()> {
                sqlx::query("INSERT INTO calendar_versions (version, created_at, created_by, note, days_digest) VALUES ($1, $2, $3, $4, $5)")
                    .bind(v.version).bind(v.created_at).bind(&v.created_by).bind(&v.note).bind(&v.days_digest)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                for d in days {
                    sqlx::query("INSERT INTO calendar_days (version, day, kind, name) VALUES ($1, $2, $3, $4)")
                        .bind(v.version).bind(d.date.format("%Y-%m-%d").to_string())
                        .bind($crate::sql_impl::day_kind_text(d.kind)).bind(&d.name)
                        .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                }
                Ok(())
            }

            async fn list_calendar_versions(&mut self) -> $crate::Result<Vec<$crate::CalendarVersion>> {
                sqlx::query_as("SELECT version, created_at, created_by, note, days_digest FROM calendar_versions ORDER BY version")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn calendar_days(&mut self, version: i64) -> $crate::Result<Vec<yiwang_core::calendar::CalendarEntry>> {
                let rows: Vec<(String, String, String)> = sqlx::query_as("SELECT day, kind, name FROM calendar_days WHERE version = $1 ORDER BY day")
                    .bind(version).fetch_all(&mut *self.inner).await.map_err($crate::map_err)?;
                rows.into_iter().map($crate::sql_impl::calendar_entry).collect()
            }

            async fn append_ledger(&mut self, draft: $crate::LedgerDraft) -> $crate::Result<$crate::LedgerRow> {
                let (head_seq, prev_hash): (i64, String) =
                    sqlx::query_as(concat!("SELECT seq, hash FROM ledger_head WHERE id = 1", $lock))
                        .fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                let row = $crate::sql_impl::chain(head_seq + 1, prev_hash, draft);
                sqlx::query("INSERT INTO ledger_entries (seq, at, actor_id, actor_role, org_id, action, subject_type, subject_id, rows_json, detail_json, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                    .bind(row.seq).bind(row.at).bind(&row.actor_id).bind(&row.actor_role).bind(&row.org_id)
                    .bind(&row.action).bind(&row.subject_type).bind(&row.subject_id).bind(&row.rows_json)
                    .bind(&row.detail_json).bind(&row.prev_hash).bind(&row.hash)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                sqlx::query("UPDATE ledger_head SET seq = $1, hash = $2 WHERE id = 1")
                    .bind(row.seq).bind(&row.hash)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(row)
            }

            async fn ledger_head(&mut self) -> $crate::Result<(i64, String)> {
                sqlx::query_as("SELECT seq, hash FROM ledger_head WHERE id = 1")
                    .fetch_one(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn ledger_entry(&mut self, seq: i64) -> $crate::Result<Option<$crate::LedgerRow>> {
                sqlx::query_as("SELECT seq, at, actor_id, actor_role, org_id, action, subject_type, subject_id, rows_json, detail_json, prev_hash, hash FROM ledger_entries WHERE seq = $1")
                    .bind(seq).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn ledger_entries(&mut self, after: i64, limit: i64) -> $crate::Result<Vec<$crate::LedgerRow>> {
                sqlx::query_as("SELECT seq, at, actor_id, actor_role, org_id, action, subject_type, subject_id, rows_json, detail_json, prev_hash, hash FROM ledger_entries WHERE seq > $1 ORDER BY seq LIMIT $2")
                    .bind(after).bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn ledger_hashes(&mut self, upto: i64) -> $crate::Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as("SELECT hash FROM ledger_entries WHERE seq <= $1 ORDER BY seq")
                    .bind(upto).fetch_all(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(rows.into_iter().map(|(h,)| h).collect())
            }

            async fn ledger_recent(&mut self, limit: i64) -> $crate::Result<Vec<$crate::LedgerRow>> {
                sqlx::query_as("SELECT seq, at, actor_id, actor_role, org_id, action, subject_type, subject_id, rows_json, detail_json, prev_hash, hash FROM ledger_entries ORDER BY seq DESC LIMIT $1")
                    .bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn insert_checkpoint(&mut self, c: &$crate::Checkpoint) -> $crate::Result<()> {
                sqlx::query("INSERT INTO ledger_checkpoints (tree_size, root, at, key_id, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tree_size) DO NOTHING")
                    .bind(c.tree_size).bind(&c.root).bind(c.at).bind(&c.key_id).bind(&c.signature)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn latest_checkpoint(&mut self) -> $crate::Result<Option<$crate::Checkpoint>> {
                sqlx::query_as("SELECT tree_size, root, at, key_id, signature FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1")
                    .fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn get_checkpoint(&mut self, tree_size: i64) -> $crate::Result<Option<$crate::Checkpoint>> {
                sqlx::query_as("SELECT tree_size, root, at, key_id, signature FROM ledger_checkpoints WHERE tree_size = $1")
                    .bind(tree_size).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn list_checkpoints(&mut self) -> $crate::Result<Vec<$crate::Checkpoint>> {
                sqlx::query_as("SELECT tree_size, root, at, key_id, signature FROM ledger_checkpoints ORDER BY tree_size")
                    .fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn get_platform_key(&mut self) -> $crate::Result<Option<$crate::PlatformKeyRow>> {
                sqlx::query_as("SELECT id, algorithm, public_key, secret_key, created_at FROM platform_keys ORDER BY created_at LIMIT 1")
                    .fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn insert_platform_key(&mut self, k: &$crate::PlatformKeyRow) -> $crate::Result<bool> {
                let r = sqlx::query("INSERT INTO platform_keys (id, algorithm, public_key, secret_key, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING")
                    .bind(&k.id).bind(&k.algorithm).bind(&k.public_key).bind(&k.secret_key).bind(k.created_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected() == 1)
            }

            async fn enqueue_job(&mut self, j: &$crate::Job) -> $crate::Result<bool> {
                let r = sqlx::query("INSERT INTO jobs (id, kind, payload, dedupe_key, run_at, status, attempts, last_error, created_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING")
                    .bind(&j.id).bind(&j.kind).bind(&j.payload).bind(&j.dedupe_key).bind(j.run_at).bind(&j.status)
                    .bind(j.attempts).bind(&j.last_error).bind(j.created_at).bind(j.finished_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected() == 1)
            }

            async fn claim_due_job(&mut self, now: i64) -> $crate::Result<Option<$crate::Job>> {
                sqlx::query_as(concat!("SELECT id, kind, payload, dedupe_key, run_at, status, attempts, last_error, created_at, finished_at FROM jobs WHERE status = 'pending' AND run_at <= $1 ORDER BY run_at LIMIT 1", $skip))
                    .bind(now).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn finish_job(&mut self, j: &$crate::Job) -> $crate::Result<()> {
                sqlx::query("UPDATE jobs SET status = $2, attempts = $3, last_error = $4, run_at = $5, finished_at = $6 WHERE id = $1")
                    .bind(&j.id).bind(&j.status).bind(j.attempts).bind(&j.last_error).bind(j.run_at).bind(j.finished_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn record_job_run(&mut self, job_id: &str, node_id: &str, started: i64, finished: i64, outcome: &str) -> $crate::Result<()> {
                sqlx::query("INSERT INTO job_runs (id, job_id, node_id, started_at, finished_at, outcome) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(uuid::Uuid::now_v7().to_string()).bind(job_id).bind(node_id).bind(started).bind(finished).bind(outcome)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn count_job_runs(&mut self, job_id: &str) -> $crate::Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM job_runs WHERE job_id = $1")
                    .bind(job_id).fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(n)
            }

            async fn get_job(&mut self, id: &str) -> $crate::Result<Option<$crate::Job>> {
                sqlx::query_as("SELECT id, kind, payload, dedupe_key, run_at, status, attempts, last_error, created_at, finished_at FROM jobs WHERE id = $1")
                    .bind(id).fetch_optional(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn delete_finished_jobs(&mut self, before: i64) -> $crate::Result<u64> {
                let r = sqlx::query("DELETE FROM jobs WHERE status <> 'pending' AND finished_at < $1")
                    .bind(before).execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(r.rows_affected())
            }

            async fn enqueue_outbox(&mut self, m: &$crate::OutboxMessage) -> $crate::Result<()> {
                sqlx::query("INSERT INTO outbox (id, channel, recipient, template, payload, status, attempts, next_try_at, created_at, delivered_at, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                    .bind(&m.id).bind(&m.channel).bind(&m.recipient).bind(&m.template).bind(&m.payload).bind(&m.status)
                    .bind(m.attempts).bind(m.next_try_at).bind(m.created_at).bind(m.delivered_at).bind(&m.last_error)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn claim_due_outbox(&mut self, now: i64, limit: i64) -> $crate::Result<Vec<$crate::OutboxMessage>> {
                sqlx::query_as(concat!("SELECT id, channel, recipient, template, payload, status, attempts, next_try_at, created_at, delivered_at, last_error FROM outbox WHERE status = 'pending' AND next_try_at <= $1 ORDER BY next_try_at LIMIT $2", $skip))
                    .bind(now).bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn update_outbox(&mut self, m: &$crate::OutboxMessage) -> $crate::Result<()> {
                sqlx::query("UPDATE outbox SET status = $2, attempts = $3, next_try_at = $4, delivered_at = $5, last_error = $6 WHERE id = $1")
                    .bind(&m.id).bind(&m.status).bind(m.attempts).bind(m.next_try_at).bind(m.delivered_at).bind(&m.last_error)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn insert_inbox(&mut self, i: &$crate::InboxItem) -> $crate::Result<()> {
                sqlx::query("INSERT INTO inbox (id, user_id, title, body, outbox_id, created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&i.id).bind(&i.user_id).bind(&i.title).bind(&i.body).bind(&i.outbox_id).bind(i.created_at).bind(i.read_at)
                    .execute(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(())
            }

            async fn inbox_of_user(&mut self, user_id: &str, limit: i64) -> $crate::Result<Vec<$crate::InboxItem>> {
                sqlx::query_as("SELECT id, user_id, title, body, outbox_id, created_at, read_at FROM inbox WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2")
                    .bind(user_id).bind(limit).fetch_all(&mut *self.inner).await.map_err($crate::map_err)
            }

            async fn count_outbox(&mut self, status: &str) -> $crate::Result<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE status = $1")
                    .bind(status).fetch_one(&mut *self.inner).await.map_err($crate::map_err)?;
                Ok(n)
            }
        }
    };
}

pub(crate) use impl_sql_tx;

use yiwang_core::calendar::{CalendarEntry, DayKind};
use yiwang_core::ledger::{EntryContent, canonical_json, entry_hash};
use yiwang_core::time::rfc3339_micros;

pub(crate) fn day_kind_text(k: DayKind) -> &'static str {
    match k {
        DayKind::Off => "off",
        DayKind::Work => "work",
    }
}

pub(crate) fn calendar_entry(
    (day, kind, name): (String, String, String),
) -> crate::Result<CalendarEntry> {
    let date = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .map_err(|e| crate::StoreError::Other(format!("bad calendar day {day}: {e}")))?;
    let kind = match kind.as_str() {
        "off" => DayKind::Off,
        "work" => DayKind::Work,
        other => {
            return Err(crate::StoreError::Other(format!(
                "bad calendar kind {other}"
            )));
        }
    };
    Ok(CalendarEntry { date, kind, name })
}

/// The hashed content of a stored entry, as `audit verify` recomputes it.
pub fn entry_content(row: &crate::LedgerRow) -> Result<EntryContent, serde_json::Error> {
    Ok(EntryContent {
        seq: row.seq,
        at: rfc3339_micros(row.at),
        actor_id: row.actor_id.clone(),
        actor_role: row.actor_role.clone(),
        org_id: row.org_id.clone(),
        action: row.action.clone(),
        subject_type: row.subject_type.clone(),
        subject_id: row.subject_id.clone(),
        rows: serde_json::from_str(&row.rows_json)?,
        detail: serde_json::from_str(&row.detail_json)?,
    })
}

/// Link a draft to the chain: the entry's hash covers the previous hash and its whole content.
pub(crate) fn chain(seq: i64, prev_hash: String, d: crate::LedgerDraft) -> crate::LedgerRow {
    let rows_json = serde_json::to_string(&d.rows).unwrap_or_else(|_| "[]".into());
    let detail_json = canonical_json(&d.detail);
    let content = EntryContent {
        seq,
        at: rfc3339_micros(d.at),
        actor_id: d.actor_id.clone(),
        actor_role: d.actor_role.clone(),
        org_id: d.org_id.clone(),
        action: d.action.clone(),
        subject_type: d.subject_type.clone(),
        subject_id: d.subject_id.clone(),
        rows: d.rows,
        detail: d.detail,
    };
    let hash = entry_hash(&prev_hash, &content);
    crate::LedgerRow {
        seq,
        at: d.at,
        actor_id: d.actor_id,
        actor_role: d.actor_role,
        org_id: d.org_id,
        action: d.action,
        subject_type: d.subject_type,
        subject_id: d.subject_id,
        rows_json,
        detail_json,
        prev_hash,
        hash,
    }
}

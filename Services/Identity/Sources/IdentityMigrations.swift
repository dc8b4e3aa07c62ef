import PurserPostgres

/// The `identity` schema, one migration per step, applied in order by `Migrator`.
///
/// Tenant-scoped tables have primary keys starting with `tenant_id`. Global
/// tables (operator keys, providers, signing keys, credentials, tenant slugs)
/// are not tenant-scoped: providers and operators belong to no tenant, a secret
/// is looked up by its digest before its tenant is known, and a slug is unique
/// across tenants. (The rules: ARCHITECTURE.md, "Distributed by tenant".)
package enum IdentityMigrations {
    /// Every migration of the `identity` schema. A migration never changes
    /// once applied (the migrator checks its checksum): change the schema by
    /// adding one.
    package static let all: [Migration] = [
        Migration(version: 1, name: "tenants_keys_agents_providers", sql: """
            CREATE FUNCTION identity.to_us(timestamptz) RETURNS bigint
                LANGUAGE sql IMMUTABLE STRICT
                AS 'SELECT (extract(epoch FROM $1) * 1000000)::bigint';
            CREATE FUNCTION identity.from_us(bigint) RETURNS timestamptz
                LANGUAGE sql IMMUTABLE STRICT
                AS 'SELECT ''epoch''::timestamptz + $1 * interval ''1 microsecond''';

            CREATE TABLE identity.tenants (
                tenant_id uuid PRIMARY KEY,
                slug text NOT NULL,
                name text NOT NULL,
                email_domain text NOT NULL DEFAULT '',
                time_zone text NOT NULL DEFAULT 'UTC',
                currency text NOT NULL DEFAULT 'USD',
                admin_can_read_mail boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now()
            );

            -- Tenant slugs are unique across tenants: each is claimed here, by
            -- the slug alone, when its tenant is created.
            CREATE TABLE identity.tenant_slugs (
                slug text PRIMARY KEY,
                tenant_id uuid NOT NULL
            );

            CREATE TABLE identity.operator_keys (
                key_id uuid PRIMARY KEY,
                label text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz
            );

            CREATE TABLE identity.api_keys (
                tenant_id uuid NOT NULL REFERENCES identity.tenants (tenant_id),
                key_id uuid NOT NULL,
                role text NOT NULL CHECK (role IN ('admin', 'finance')),
                label text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz,
                revoked_at timestamptz,
                PRIMARY KEY (tenant_id, key_id)
            );

            CREATE TABLE identity.agents (
                tenant_id uuid NOT NULL REFERENCES identity.tenants (tenant_id),
                agent_id uuid NOT NULL,
                handle text NOT NULL,
                display_name text NOT NULL DEFAULT '',
                metadata jsonb NOT NULL DEFAULT '{}',
                status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked')),
                revoke_reason text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz,
                PRIMARY KEY (tenant_id, agent_id),
                CONSTRAINT agents_handle_unique UNIQUE (tenant_id, handle)
            );

            CREATE TABLE identity.providers (
                provider_id uuid PRIMARY KEY,
                slug text NOT NULL,
                name text NOT NULL,
                default_category text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now(),
                -- The categories a provider may be paid under besides its default one.
                categories text[] NOT NULL DEFAULT '{}',
                CONSTRAINT providers_slug_unique UNIQUE (slug)
            );

            -- Every secret of every principal, by SHA-256 digest: Authenticate
            -- answers from one index lookup whatever the principal kind.
            -- `disabled_reason` is set while the subject may not authenticate
            -- (agent_suspended, agent_revoked, api_key_revoked).
            CREATE TABLE identity.credentials (
                digest bytea PRIMARY KEY CHECK (length(digest) = 32),
                role text NOT NULL CHECK (role IN ('operator', 'admin', 'finance', 'agent', 'provider')),
                subject_id uuid NOT NULL,
                tenant_id uuid,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz,
                disabled_reason text
            );
            CREATE INDEX credentials_subject ON identity.credentials (subject_id);

            -- Ed25519 signing keys; the private half sealed with the
            -- key-encryption key (AES-256-GCM, kid as associated data).
            CREATE TABLE identity.signing_keys (
                kid text PRIMARY KEY,
                public_key bytea NOT NULL,
                sealed_private_key bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                retired_at timestamptz,
                verify_until timestamptz
            );
            CREATE UNIQUE INDEX signing_keys_one_current ON identity.signing_keys ((true)) WHERE retired_at IS NULL;

            -- The revoked-subject feed read by every service's verifier.
            CREATE TABLE identity.revocations (
                tenant_id uuid NOT NULL,
                seq bigserial NOT NULL,
                subject_id uuid NOT NULL,
                reason text NOT NULL,
                revoked_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                PRIMARY KEY (tenant_id, seq)
            );
            -- The feed is read in `seq` order across tenants; the sequence makes it unique.
            CREATE INDEX revocations_feed ON identity.revocations (seq);

            -- One row per (revoked agent, subscriber) until acknowledged.
            CREATE TABLE identity.revocation_outbox (
                tenant_id uuid NOT NULL,
                agent_id uuid NOT NULL,
                subscriber text NOT NULL,
                reason text NOT NULL,
                revoked_at timestamptz NOT NULL,
                attempts int NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                delivered_at timestamptz,
                last_error text NOT NULL DEFAULT '',
                PRIMARY KEY (tenant_id, agent_id, subscriber)
            );
            CREATE INDEX revocation_outbox_due ON identity.revocation_outbox (next_attempt_at) WHERE delivered_at IS NULL;
            """),
        Migration(version: 2, name: "webhooks", sql: webhooks),
        Migration(version: 3, name: "sub_agents", sql: subAgents),
        Migration(version: 4, name: "payments from other tenants", sql: """
            ALTER TABLE identity.tenants
                ADD COLUMN accepts_payments_from_other_tenants boolean NOT NULL DEFAULT false;
            """),
    ]
}

import PurserPostgres

/// The `policy` schema. Documents are immutable versions; `policy_heads` holds
/// the current version of each document and is the row a writer locks, so
/// concurrent writers of one document get consecutive versions and
/// `expected_version` checks are exact. `agent_id` is `''` for the tenant default.
/// A migration never changes once applied (the migrator checks its checksum):
/// change the schema by adding one.
package enum PolicyMigrations {
    package static let all: [Migration] = [
        Migration(
            version: 1, name: "policy documents",
            sql: """
                CREATE TABLE policy_heads (
                    tenant_id uuid NOT NULL,
                    agent_id text NOT NULL,
                    version bigint NOT NULL CHECK (version >= 0),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (tenant_id, agent_id)
                );
                CREATE TABLE policy_versions (
                    tenant_id uuid NOT NULL,
                    agent_id text NOT NULL,
                    version bigint NOT NULL CHECK (version > 0),
                    document text NOT NULL,
                    author text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (tenant_id, agent_id, version)
                );
                -- One counter per tenant, raised in the transaction of every change to the
                -- tenant's or any of its agents' documents: an effective policy read at
                -- epoch E holds every change up to E, and the Wallet refuses to decide an
                -- authorization against a policy older than the epoch it was told of.
                CREATE TABLE tenant_epochs (
                    tenant_id uuid PRIMARY KEY,
                    epoch bigint NOT NULL CHECK (epoch > 0),
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                """),
    ]
}

import PurserPostgres
import PurserService

/// The `email` schema, in version order. Applied by `Migrator` at start-up.
package enum EmailMigrations {
    package static let all: [Migration] = [
        Migration(version: 1, name: "aliases, address directory and messages", sql: """
            CREATE FUNCTION to_us(t timestamptz) RETURNS bigint
                LANGUAGE sql IMMUTABLE PARALLEL SAFE
                AS $$ SELECT (extract(epoch FROM t) * 1000000)::bigint $$;

            -- Agents this service has seen; a revoked agent keeps its aliases disabled
            -- and gets no new ones.
            CREATE TABLE agents (
                tenant_id uuid NOT NULL,
                agent_id uuid NOT NULL,
                revoked_at timestamptz,
                revoke_reason text NOT NULL DEFAULT '',
                PRIMARY KEY (tenant_id, agent_id)
            );

            -- kind: 1 primary, 2 custom, 3 random (purser.email.v1.AliasKind).
            CREATE TABLE aliases (
                tenant_id uuid NOT NULL,
                alias_id uuid NOT NULL DEFAULT gen_random_uuid(),
                agent_id uuid NOT NULL,
                address text NOT NULL,
                kind smallint NOT NULL CHECK (kind BETWEEN 1 AND 3),
                enabled boolean NOT NULL DEFAULT true,
                disabled_reason text NOT NULL DEFAULT '',
                received_count bigint NOT NULL DEFAULT 0,
                rejected_count bigint NOT NULL DEFAULT 0,
                last_received_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (tenant_id, alias_id),
                FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, agent_id)
            );
            CREATE INDEX aliases_by_agent ON aliases (tenant_id, agent_id, created_at, alias_id);
            CREATE INDEX aliases_by_tenant ON aliases (tenant_id, created_at, alias_id);
            CREATE UNIQUE INDEX aliases_one_primary ON aliases (tenant_id, agent_id) WHERE kind = 1;

            -- The one table keyed by address rather than tenant: SMTP knows only the
            -- recipient address. Small and read-mostly (a reference table when the
            -- schema is distributed by tenant); it makes addresses unique across tenants.
            CREATE TABLE address_directory (
                address text PRIMARY KEY,
                tenant_id uuid NOT NULL,
                alias_id uuid NOT NULL
            );

            CREATE TABLE messages (
                tenant_id uuid NOT NULL,
                message_id uuid NOT NULL DEFAULT gen_random_uuid(),
                agent_id uuid NOT NULL,
                alias_id uuid NOT NULL,
                recipient text NOT NULL,
                envelope_from text NOT NULL,
                client_name text NOT NULL,
                over_tls boolean NOT NULL,
                from_header text NOT NULL,
                to_header text NOT NULL,
                subject text NOT NULL,
                date_header text NOT NULL,
                message_id_header text NOT NULL,
                plain_text text NOT NULL,
                raw bytea NOT NULL,
                size_bytes bigint NOT NULL,
                received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (tenant_id, message_id),
                FOREIGN KEY (tenant_id, alias_id) REFERENCES aliases (tenant_id, alias_id)
            );
            CREATE INDEX messages_by_agent ON messages (tenant_id, agent_id, received_at DESC, message_id DESC);
            CREATE INDEX messages_by_age ON messages (received_at);
            """),
        Migration(version: 2, name: "events for webhooks", sql: events),
    ]

    /// `email.received` for every stored copy of a mail, written by the
    /// transaction that stores it (a row trigger), into `email.event_outbox`
    /// (relayed to Identity by `EventRelay`). Header texts are cut to 512 characters.
    static var events: String {
        EventOutbox.tableSQL(schema: "email") + """

            CREATE FUNCTION email.message_events() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO email.event_outbox (tenant_id, type, agent_id, data)
                VALUES (NEW.tenant_id, 'email.received', NEW.agent_id,
                        jsonb_build_object('agent_id', NEW.agent_id, 'message_id', NEW.message_id, 'alias_id', NEW.alias_id,
                                           'recipient', NEW.recipient, 'from', left(NEW.from_header, 512),
                                           'subject', left(NEW.subject, 512), 'size_bytes', NEW.size_bytes,
                                           'received_at_us', email.to_us(NEW.received_at)));
                RETURN NULL;
            END $$;

            CREATE TRIGGER messages_events AFTER INSERT ON email.messages
                FOR EACH ROW EXECUTE FUNCTION email.message_events();
            """
    }
}

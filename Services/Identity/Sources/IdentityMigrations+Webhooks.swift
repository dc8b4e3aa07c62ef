extension IdentityMigrations {
    /// Webhook endpoints, their signing secrets, the events the services
    /// publish, and one delivery per (endpoint, event) with its attempts.
    ///
    /// An event is kept once per id (`events` primary key), and its deliveries
    /// are queued in the transaction that keeps it, for the endpoints enabled
    /// and subscribed at that moment. A delivery is pending until a 2xx answer
    /// (delivered) or until its retry period ends (failed). Deliveries about one
    /// agent go out in event order (`seq`) per endpoint: a pending delivery is
    /// not attempted while an earlier one of the same agent and endpoint is
    /// pending. Signing secrets are sealed with the key-encryption key (the
    /// signature needs the secret itself, so it cannot be stored as a digest);
    /// the current one has no `expires_at`, a rotated one signs until it.
    static let webhooks = """
        CREATE TABLE identity.webhook_endpoints (
            tenant_id uuid NOT NULL,
            endpoint_id uuid NOT NULL,
            url text NOT NULL,
            event_types text[] NOT NULL DEFAULT '{}',
            description text NOT NULL DEFAULT '',
            enabled boolean NOT NULL DEFAULT true,
            disabled_reason text NOT NULL DEFAULT '',
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, endpoint_id)
        );

        CREATE TABLE identity.webhook_secrets (
            tenant_id uuid NOT NULL,
            endpoint_id uuid NOT NULL,
            secret_id bigserial NOT NULL,
            sealed_secret bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz,
            PRIMARY KEY (tenant_id, endpoint_id, secret_id),
            FOREIGN KEY (tenant_id, endpoint_id) REFERENCES identity.webhook_endpoints ON DELETE CASCADE
        );
        CREATE UNIQUE INDEX webhook_secrets_one_current ON identity.webhook_secrets (tenant_id, endpoint_id) WHERE expires_at IS NULL;

        CREATE TABLE identity.events (
            tenant_id uuid NOT NULL,
            event_id uuid NOT NULL,
            seq bigserial NOT NULL,
            type text NOT NULL,
            agent_id uuid,
            source text NOT NULL,
            occurred_at timestamptz NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            data jsonb NOT NULL,
            PRIMARY KEY (tenant_id, event_id)
        );

        CREATE TABLE identity.webhook_deliveries (
            tenant_id uuid NOT NULL,
            delivery_id uuid NOT NULL,
            endpoint_id uuid NOT NULL,
            event_id uuid NOT NULL,
            seq bigint NOT NULL,
            event_type text NOT NULL,
            agent_id uuid,
            status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
            attempt_count int NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL DEFAULT now(),
            created_at timestamptz NOT NULL DEFAULT now(),
            -- Its retry period runs from here: its creation, or the redelivery that made it pending again.
            retry_from timestamptz NOT NULL DEFAULT now(),
            delivered_at timestamptz,
            PRIMARY KEY (tenant_id, delivery_id),
            UNIQUE (tenant_id, endpoint_id, event_id),
            FOREIGN KEY (tenant_id, endpoint_id) REFERENCES identity.webhook_endpoints ON DELETE CASCADE,
            FOREIGN KEY (tenant_id, event_id) REFERENCES identity.events
        );
        CREATE INDEX webhook_deliveries_due ON identity.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX webhook_deliveries_agent_order ON identity.webhook_deliveries (tenant_id, endpoint_id, agent_id, seq)
            WHERE status = 'pending';
        CREATE INDEX webhook_deliveries_log ON identity.webhook_deliveries (tenant_id, endpoint_id, seq DESC);

        CREATE TABLE identity.webhook_attempts (
            tenant_id uuid NOT NULL,
            delivery_id uuid NOT NULL,
            attempt int NOT NULL,
            at timestamptz NOT NULL DEFAULT now(),
            http_status int NOT NULL DEFAULT 0,
            latency_us bigint NOT NULL DEFAULT 0,
            error text NOT NULL DEFAULT '',
            response_excerpt text NOT NULL DEFAULT '',
            detail text NOT NULL DEFAULT '',
            PRIMARY KEY (tenant_id, delivery_id, attempt),
            FOREIGN KEY (tenant_id, delivery_id) REFERENCES identity.webhook_deliveries ON DELETE CASCADE
        );

        -- Keeps an event once and queues its deliveries; false for an id already kept.
        CREATE FUNCTION identity.record_event(p_tenant uuid, p_event uuid, p_type text, p_agent uuid, p_source text,
                                              p_occurred timestamptz, p_data jsonb) RETURNS boolean
        LANGUAGE plpgsql AS $$
        DECLARE
            v_seq bigint;
        BEGIN
            INSERT INTO identity.events (tenant_id, event_id, type, agent_id, source, occurred_at, data)
            VALUES (p_tenant, p_event, p_type, p_agent, p_source, p_occurred, p_data)
            ON CONFLICT DO NOTHING RETURNING seq INTO v_seq;
            IF v_seq IS NULL THEN
                RETURN false;
            END IF;
            INSERT INTO identity.webhook_deliveries (tenant_id, delivery_id, endpoint_id, event_id, seq, event_type, agent_id)
            SELECT p_tenant, gen_random_uuid(), e.endpoint_id, p_event, v_seq, p_type, p_agent
              FROM identity.webhook_endpoints e
             WHERE e.tenant_id = p_tenant AND e.enabled AND (cardinality(e.event_types) = 0 OR p_type = ANY (e.event_types));
            RETURN true;
        END $$;
        """
}

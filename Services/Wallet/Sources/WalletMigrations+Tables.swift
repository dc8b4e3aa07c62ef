extension WalletMigrations {
    /// Accounts (with the CHECK constraints that make overspending
    /// structurally impossible), holds, append-only entries (each stamped with
    /// the id of the transaction that wrote it, for the capture feed), spend
    /// counters and idempotency records; the policy epoch recorded per tenant
    /// (`PolicyChanged`); the payment tokens charged under (how much each has
    /// paid, how often, and which holds it paid for, so a replay is not counted
    /// twice; kept until a while after the token expired); and what each
    /// tenant's Fund and Refund brought in per UTC day (the daily bound).
    /// Every primary key starts with `tenant_id`.
    static let tables = #"""
CREATE TABLE wallet.accounts (
    tenant_id     uuid        NOT NULL,
    account_id    uuid        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('funding', 'treasury', 'agent')),
    currency      text        NOT NULL,
    status        text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'frozen', 'revoked')),
    status_reason text        NOT NULL DEFAULT '',
    balance       bigint      NOT NULL DEFAULT 0,
    held          bigint      NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, account_id),
    CONSTRAINT accounts_held_not_negative CHECK (held >= 0),
    CONSTRAINT accounts_available_not_negative CHECK (kind = 'funding' OR balance - held >= 0),
    CONSTRAINT accounts_funding_holds_nothing CHECK (kind <> 'funding' OR held = 0)
);

CREATE TABLE wallet.holds (
    tenant_id       uuid        NOT NULL,
    hold_id         uuid        NOT NULL,
    agent_id        uuid        NOT NULL,
    provider_id     uuid        NOT NULL,
    category        text        NOT NULL,
    task_id         text        NOT NULL DEFAULT '',
    description     text        NOT NULL DEFAULT '',
    amount          bigint      NOT NULL CHECK (amount > 0),
    captured        bigint      NOT NULL DEFAULT 0 CHECK (captured >= 0 AND captured <= amount),
    refunded        bigint      NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= captured),
    status          text        NOT NULL CHECK (status IN ('pending', 'captured', 'voided', 'expired')),
    counter_scopes  text[]      NOT NULL DEFAULT '{}',
    counter_windows text[]      NOT NULL DEFAULT '{}',
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    settled_at      timestamptz,
    PRIMARY KEY (tenant_id, hold_id)
);
CREATE INDEX holds_pending_expiry ON wallet.holds (expires_at) WHERE status = 'pending';
CREATE INDEX holds_pending_by_agent ON wallet.holds (tenant_id, agent_id) WHERE status = 'pending';

CREATE TABLE wallet.entries (
    tenant_id      uuid        NOT NULL,
    entry_id       uuid        NOT NULL DEFAULT gen_random_uuid(),
    seq            bigint      GENERATED ALWAYS AS IDENTITY,
    xid            xid8        NOT NULL DEFAULT pg_current_xact_id(),
    kind           text        NOT NULL CHECK (kind IN ('fund', 'allocate', 'reclaim', 'capture', 'refund')),
    debit_account  uuid        NOT NULL,
    credit_account uuid        NOT NULL,
    amount         bigint      NOT NULL CHECK (amount > 0),
    currency       text        NOT NULL,
    agent_id       uuid,
    provider_id    uuid,
    category       text        NOT NULL DEFAULT '',
    hold_id        uuid,
    reference      text        NOT NULL DEFAULT '',
    description    text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, entry_id),
    CHECK (debit_account <> credit_account)
);
CREATE INDEX entries_by_tenant ON wallet.entries (tenant_id, seq);
CREATE INDEX entries_by_debit ON wallet.entries (tenant_id, debit_account, seq);
CREATE INDEX entries_by_credit ON wallet.entries (tenant_id, credit_account, seq);
CREATE INDEX entries_feed ON wallet.entries (xid, seq) WHERE kind IN ('capture', 'refund');

CREATE TABLE wallet.spend_counters (
    tenant_id  uuid   NOT NULL,
    agent_id   uuid   NOT NULL,
    scope_key  text   NOT NULL,
    window_key text   NOT NULL,
    spent      bigint NOT NULL DEFAULT 0 CHECK (spent >= 0),
    count      bigint NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (tenant_id, agent_id, scope_key, window_key)
);

CREATE TABLE wallet.idempotency (
    tenant_id    uuid        NOT NULL,
    principal    text        NOT NULL,
    idem_key     text        NOT NULL,
    method       text        NOT NULL,
    request_hash bytea       NOT NULL,
    outcome      jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, principal, idem_key)
);
CREATE INDEX idempotency_by_age ON wallet.idempotency (created_at);

CREATE TABLE wallet.policy_epochs (
    tenant_id  uuid        PRIMARY KEY,
    epoch      bigint      NOT NULL CHECK (epoch > 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wallet.payment_tokens (
    tenant_id    uuid        NOT NULL,
    token_id     text        NOT NULL,
    agent_id     uuid        NOT NULL,
    provider_id  uuid        NOT NULL,
    max_amount   bigint      NOT NULL CHECK (max_amount > 0),
    single_use   boolean     NOT NULL,
    charged      bigint      NOT NULL DEFAULT 0,
    charges      integer     NOT NULL DEFAULT 0,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, token_id),
    CONSTRAINT payment_tokens_within_max CHECK (charged >= 0 AND charged <= max_amount),
    CONSTRAINT payment_tokens_single_use_once CHECK (NOT single_use OR charges <= 1)
);
CREATE INDEX payment_tokens_expiry ON wallet.payment_tokens (expires_at);

CREATE TABLE wallet.payment_token_charges (
    tenant_id    uuid        NOT NULL,
    hold_id      uuid        NOT NULL,
    token_id     text        NOT NULL,
    amount       bigint      NOT NULL CHECK (amount > 0),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, hold_id)
);
CREATE INDEX payment_token_charges_expiry ON wallet.payment_token_charges (expires_at);

CREATE TABLE wallet.tenant_daily_movement (
    tenant_id uuid   NOT NULL,
    day       date   NOT NULL,
    moved     bigint NOT NULL CHECK (moved >= 0),
    PRIMARY KEY (tenant_id, day)
);
"""#
}

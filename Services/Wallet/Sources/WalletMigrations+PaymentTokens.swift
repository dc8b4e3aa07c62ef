extension WalletMigrations {
    /// Payment tokens the Wallet has charged under: how much each has paid
    /// (bounded by its `max_amount`), how often (a single-use token once), and
    /// which holds it paid for (so an idempotent replay is not counted twice).
    /// Rows are written in the charge's own transaction and kept until a while
    /// after the token has expired (no verifier accepts it any more).
    static let paymentTokens = #"""
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
"""#
}

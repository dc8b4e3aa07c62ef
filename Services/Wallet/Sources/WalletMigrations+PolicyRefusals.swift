extension WalletMigrations {
    /// `authorize_batch` again, now answering a request that carries a
    /// `denial` (a refusal already decided by the spending policy) with that
    /// denial, stored under the request's idempotency key like any other
    /// outcome; a replay of an earlier outcome still comes first.
    static var policyRefusals: String {
        authorize
            .replacingOccurrences(
                of: "CREATE FUNCTION wallet.authorize_batch", with: "CREATE OR REPLACE FUNCTION wallet.authorize_batch")
            .replacingOccurrences(
                of: "        IF v_status = 'revoked' THEN",
                with: """
                        IF req ? 'denial' THEN
                            v_out := req->'denial';
                        ELSIF v_status = 'revoked' THEN
                """)
    }
}

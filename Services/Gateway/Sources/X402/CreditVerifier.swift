import PurserAuth

/// The scheme the facilitator serves: Purser credits with `upto` semantics
/// (the attested amount is held; settle takes at most that and releases the rest).
let purserScheme = "upto"

/// What a verified payment lets the facilitator do.
struct VerifiedCredit: Sendable, Equatable {
    var attestation: CreditAttestation
    /// The attested (held) micros.
    var heldMicros: Int64
    /// `paymentRequirements.amount`: at verify the most the call may cost, at settle the charge.
    var requiredMicros: Int64
}

/// Checks an x402 request of the Purser scheme against the credit attestation
/// it carries, offline: pure, no I/O (the hold's state is the facilitator's
/// next check). Refusals, in order: `invalid_x402_version` (either version
/// not 2), `invalid_scheme`, `invalid_network` (not `purser:<deployment>`),
/// `invalid_payment_requirements` (the payload's `accepted` differs from the
/// requirements in scheme, network, asset or payTo, or the amount is not
/// micros), `invalid_payload` (the attestation is malformed, signed by no
/// published key, or its signature fails), `attestation_expired`,
/// `invalid_payment_requirements` (asset or payTo other than attested),
/// `invalid_payload` (the resource other than attested), `amount_exceeds_hold`
/// (the required amount above the attested one).
struct CreditVerifier: Sendable {
    /// `purser:<deployment id>`.
    var network: String

    func verify(_ body: X402Body, keys: JWKSet, now: Int64) throws(X402Refusal) -> VerifiedCredit {
        guard body.x402Version == x402Version, body.payload.x402Version == x402Version else {
            throw X402Refusal("invalid_x402_version", "only x402Version 2 is served")
        }
        let required = body.requirements, accepted = body.payload.accepted
        guard required.scheme == purserScheme, accepted.scheme == purserScheme else {
            throw X402Refusal("invalid_scheme", "the facilitator settles scheme \(purserScheme) only")
        }
        guard required.network == network, accepted.network == network else {
            throw X402Refusal("invalid_network", "the facilitator settles network \(network) only")
        }
        guard accepted.asset == required.asset, accepted.payTo == required.payTo else {
            throw X402Refusal("invalid_payment_requirements", "the payload accepted other requirements (asset or payTo)")
        }
        guard let requiredMicros = required.amountMicros, accepted.amountMicros != nil else {
            throw X402Refusal("invalid_payment_requirements", "amount must be a decimal integer of micros")
        }
        let attestation: CreditAttestation
        do {
            attestation = try CreditAttestation.verify(body.payload.attestation, keys: keys)
        } catch {
            throw X402Refusal("invalid_payload", "the credit attestation does not verify (\(error.reason))")
        }
        guard !attestation.isExpired(now: now) else {
            throw X402Refusal("attestation_expired", "the credit attestation expired")
        }
        guard attestation.asset == required.asset else {
            throw X402Refusal("invalid_payment_requirements", "asset \(required.asset) is not the attested \(attestation.asset)")
        }
        guard attestation.audience == required.payTo.lowercased() else {
            throw X402Refusal("invalid_payment_requirements", "payTo is not the attested payee")
        }
        if let url = body.payload.resourceURL, url != attestation.resource {
            throw X402Refusal("invalid_payload", "the payload's resource is not the attested one")
        }
        guard let heldMicros = attestation.amountMicros, requiredMicros <= heldMicros else {
            throw X402Refusal("amount_exceeds_hold", "the amount required is above the attested credit")
        }
        return VerifiedCredit(attestation: attestation, heldMicros: heldMicros, requiredMicros: requiredMicros)
    }
}

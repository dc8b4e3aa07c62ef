import PurserMetrics
import PurserRPC

/// `purser_wallet_authorizations_total{method, outcome, reason}`: every
/// Authorize, Charge and AuthorizeCredit the Wallet decided (`method` is
/// `authorize`, `charge` or `authorize_credit`), approved (`reason="none"`) or
/// denied with its stable denial reason (`insufficient_funds`,
/// `limit_exceeded`, …). Calls that fail before a decision (bad input,
/// PostgreSQL unreachable) are not authorizations and are counted only by
/// the RPC server's `purser_rpc_server_calls_total`.
struct AuthorizationMetrics: Sendable {
    /// The spend methods counted.
    enum Method: Int, CaseIterable, Sendable {
        case authorize
        case charge
        case authorizeCredit

        /// The `method` label.
        var label: String {
            switch self {
            case .authorize: "authorize"
            case .charge: "charge"
            case .authorizeCredit: "authorize_credit"
            }
        }
    }

    private let family: CounterFamily
    /// The approvals of each method (indexed by its raw value), looked up once.
    private let approvals: [Counter]

    init(registry: MetricsRegistry) {
        family = registry.counter(
            "purser_wallet_authorizations_total",
            help: "Spend decisions, by method (authorize, charge, authorize_credit), outcome (approved, denied) and denial reason.",
            labels: ["method", "outcome", "reason"])
        let family = self.family
        approvals = Method.allCases.map { family.series($0.label, "approved", "none") }
    }

    /// Counts an approval of `method`: lock-free.
    func approved(_ method: Method) {
        approvals[method.rawValue].increment()
    }

    /// Counts a denial of `method` for `reason` (a denial's series is looked up under the family's lock).
    func denied(_ method: Method, reason: String) {
        family.series(method.label, "denied", reason).increment()
    }

    /// Runs `decision` and counts its outcome: a result is an approval, an
    /// RPCError FAILED_PRECONDITION a denial (how the ledger and policy refuse a
    /// spend); anything else is rethrown uncounted.
    func counting<T>(_ method: Method, _ decision: () async throws -> T) async throws -> T {
        do {
            let result = try await decision()
            approved(method)
            return result
        } catch let error as RPCError where error.code == .failedPrecondition {
            denied(method, reason: error.reason ?? "denied")
            throw error
        }
    }
}

import Foundation

/// The one table of the gateway: each public `purser/1` method with the HTTP
/// verb and path it is served at. The handler, the OpenAPI document and the
/// tests all read it, so what is served and what is documented cannot differ.
///
/// A `{field}` segment binds a field of the request message (proto name);
/// the other fields come from the query string on GET and DELETE, from the
/// JSON body otherwise (POST, PUT, PATCH). Methods only services may call (and `Bootstrap`,
/// mutual TLS only) are not here: `internalMethods` names each, so a new
/// method must be placed on one side or the other.
package enum GatewayRoutes {
    package static let all: [Route] = [
        // Identity
        Route(.post, "/v1/auth/token", "purser.identity.v1.Identity/Authenticate", public: true),
        Route(.post, "/v1/auth/end-session", "purser.identity.v1.Identity/EndSession", public: true),
        Route(.post, "/v1/tenants", "purser.identity.v1.Identity/CreateTenant"),
        Route(.get, "/v1/tenants", "purser.identity.v1.Identity/ListTenants"),
        Route(.get, "/v1/tenants/{tenant_id}", "purser.identity.v1.Identity/GetTenant"),
        Route(.patch, "/v1/tenants/{tenant_id}", "purser.identity.v1.Identity/UpdateTenantSettings"),
        Route(.post, "/v1/tenants/{tenant_id}/api-keys", "purser.identity.v1.Identity/CreateApiKey"),
        Route(.get, "/v1/tenants/{tenant_id}/api-keys", "purser.identity.v1.Identity/ListApiKeys"),
        Route(.post, "/v1/tenants/{tenant_id}/api-keys/{key_id}/revoke", "purser.identity.v1.Identity/RevokeApiKey"),
        Route(.post, "/v1/tenants/{tenant_id}/agents", "purser.identity.v1.Identity/CreateAgent"),
        Route(.get, "/v1/tenants/{tenant_id}/agents", "purser.identity.v1.Identity/ListAgents"),
        Route(.get, "/v1/tenants/{tenant_id}/agents/{agent_id}", "purser.identity.v1.Identity/GetAgent"),
        Route(.post, "/v1/tenants/{tenant_id}/agents/{agent_id}/rotate-secret", "purser.identity.v1.Identity/RotateAgentSecret"),
        Route(.post, "/v1/tenants/{tenant_id}/agents/{agent_id}/suspend", "purser.identity.v1.Identity/SuspendAgent"),
        Route(.post, "/v1/tenants/{tenant_id}/agents/{agent_id}/resume", "purser.identity.v1.Identity/ResumeAgent"),
        Route(.post, "/v1/tenants/{tenant_id}/agents/{agent_id}/revoke", "purser.identity.v1.Identity/RevokeAgent"),
        Route(.post, "/v1/tenants/{tenant_id}/agents/{parent_agent_id}/sub-agents", "purser.identity.v1.Identity/CreateSubAgent"),
        Route(.post, "/v1/providers", "purser.identity.v1.Identity/RegisterProvider"),
        Route(.get, "/v1/providers", "purser.identity.v1.Identity/ListProviders"),
        Route(.get, "/v1/providers/{provider_id}", "purser.identity.v1.Identity/GetProvider"),
        Route(.post, "/v1/providers/{provider_id}/rotate-secret", "purser.identity.v1.Identity/RotateProviderSecret"),
        Route(.get, "/v1/signing-keys", "purser.identity.v1.Identity/GetSigningKeys", public: true),
        Route(.post, "/v1/signing-keys/rotate", "purser.identity.v1.Identity/RotateSigningKey"),
        Route(.post, "/v1/payment-tokens", "purser.identity.v1.Identity/IssuePaymentToken"),
        Route(.post, "/v1/webhooks", "purser.identity.v1.Identity/CreateWebhookEndpoint"),
        Route(.get, "/v1/webhooks", "purser.identity.v1.Identity/ListWebhookEndpoints"),
        Route(.patch, "/v1/webhooks/{endpoint_id}", "purser.identity.v1.Identity/UpdateWebhookEndpoint"),
        Route(.delete, "/v1/webhooks/{endpoint_id}", "purser.identity.v1.Identity/DeleteWebhookEndpoint"),
        Route(.post, "/v1/webhooks/{endpoint_id}/rotate-secret", "purser.identity.v1.Identity/RotateWebhookSecret"),
        Route(.get, "/v1/webhooks/{endpoint_id}/deliveries", "purser.identity.v1.Identity/ListWebhookDeliveries"),
        Route(.post, "/v1/webhook-deliveries/{delivery_id}/redeliver", "purser.identity.v1.Identity/RedeliverWebhook"),
        // Wallet
        Route(.post, "/v1/wallet/fund", "purser.wallet.v1.Wallet/Fund"),
        Route(.post, "/v1/wallet/allocate", "purser.wallet.v1.Wallet/Allocate"),
        Route(.post, "/v1/wallet/reclaim", "purser.wallet.v1.Wallet/Reclaim"),
        Route(.get, "/v1/agents/{agent_id}/balance", "purser.wallet.v1.Wallet/GetBalance"),
        Route(.put, "/v1/agents/{agent_id}/balance-alert", "purser.wallet.v1.Wallet/SetBalanceAlert"),
        Route(.post, "/v1/wallet/authorize", "purser.wallet.v1.Wallet/Authorize"),
        Route(.post, "/v1/x402/authorize", "purser.wallet.v1.Wallet/AuthorizeCredit"),
        Route(.get, "/v1/wallet/holds/{hold_id}", "purser.wallet.v1.Wallet/GetHold"),
        Route(.post, "/v1/wallet/capture", "purser.wallet.v1.Wallet/Capture"),
        Route(.post, "/v1/wallet/void", "purser.wallet.v1.Wallet/Void"),
        Route(.post, "/v1/wallet/charge", "purser.wallet.v1.Wallet/Charge"),
        Route(.post, "/v1/wallet/refund", "purser.wallet.v1.Wallet/Refund"),
        Route(.get, "/v1/wallet/entries", "purser.wallet.v1.Wallet/ListEntries"),
        Route(.get, "/v1/wallet/balances", "purser.wallet.v1.Wallet/ListBalances"),
        Route(.get, "/v1/wallet/holds", "purser.wallet.v1.Wallet/ListHolds"),
        Route(.get, "/v1/wallet/denials", "purser.wallet.v1.Wallet/ListDenials"),
        Route(.get, "/v1/wallet/audit", "purser.wallet.v1.Wallet/AuditLedger"),
        // Policy
        Route(.put, "/v1/tenants/{tenant_id}/policy", "purser.policy.v1.Policy/SetTenantPolicy"),
        Route(.put, "/v1/tenants/{tenant_id}/agents/{agent_id}/policy", "purser.policy.v1.Policy/SetAgentPolicy"),
        Route(.get, "/v1/tenants/{tenant_id}/agents/{agent_id}/policy", "purser.policy.v1.Policy/GetEffectivePolicy"),
        Route(.get, "/v1/tenants/{tenant_id}/policy-versions", "purser.policy.v1.Policy/ListPolicyVersions"),
        Route(.post, "/v1/policy/simulate", "purser.policy.v1.Policy/Simulate"),
        // Settlement
        Route(.post, "/v1/settlement/run", "purser.settlement.v1.Settlement/RunSettlement"),
        Route(.get, "/v1/settlement/batches", "purser.settlement.v1.Settlement/ListBatches"),
        Route(.get, "/v1/settlement/batches/{batch_id}", "purser.settlement.v1.Settlement/GetBatch"),
        Route(.post, "/v1/settlement/batches/{batch_id}/paid", "purser.settlement.v1.Settlement/MarkBatchPaid"),
        Route(.get, "/v1/settlement/statements", "purser.settlement.v1.Settlement/GetTenantStatement"),
        Route(.get, "/v1/settlement/payouts", "purser.settlement.v1.Settlement/GetProviderPayout"),
        Route(.get, "/v1/settlement/reports", "purser.settlement.v1.Settlement/ExportReport"),
        Route(.post, "/v1/settlement/reconcile", "purser.settlement.v1.Settlement/Reconcile"),
        Route(.get, "/v1/settlement/tenant-batches", "purser.settlement.v1.Settlement/ListTenantBatches"),
        Route(.get, "/v1/settlement/tenant-batches/{batch_id}", "purser.settlement.v1.Settlement/GetTenantBatch"),
        Route(.post, "/v1/settlement/tenant-batches/{batch_id}/paid", "purser.settlement.v1.Settlement/MarkTenantBatchPaid"),
        // Email-alias
        Route(.post, "/v1/email/aliases", "purser.email.v1.EmailAlias/CreateAlias"),
        Route(.get, "/v1/email/aliases", "purser.email.v1.EmailAlias/ListAliases"),
        Route(.post, "/v1/email/aliases/{alias_id}/disable", "purser.email.v1.EmailAlias/DisableAlias"),
        Route(.post, "/v1/email/aliases/{alias_id}/enable", "purser.email.v1.EmailAlias/EnableAlias"),
        Route(.get, "/v1/email/messages", "purser.email.v1.EmailAlias/ListMessages"),
        Route(.get, "/v1/email/messages/{message_id}", "purser.email.v1.EmailAlias/GetMessage"),
        Route(.delete, "/v1/email/messages/{message_id}", "purser.email.v1.EmailAlias/DeleteMessage"),
    ]

    /// Methods the gateway does not serve, each with the reason.
    package static let internalMethods: [String: String] = [
        "purser.identity.v1.Identity/Bootstrap": "mutual TLS only: makes the first operator key",
        "purser.identity.v1.Identity/ListRevocations": "services only: the revocation feed",
        "purser.identity.v1.Identity/SignCreditAttestation": "Wallet only: credit attestations (served as POST /v1/x402/authorize)",
        "purser.identity.v1.Identity/FindAgent": "Wallet only: resolves a payee named handle@tenant-slug",
        "purser.identity.v1.Identity/PublishEvents": "services only: the events of the Wallet's, Email's and Settlement's outboxes",
        "purser.wallet.v1.Wallet/FreezeAccount": "Identity only: a revoked agent's account",
        "purser.wallet.v1.Wallet/CaptureFeed": "Settlement only: the capture feed",
        "purser.wallet.v1.Wallet/TransferFeed": "Settlement only: the feed of payments across tenants",
        "purser.wallet.v1.Wallet/LedgerTotals": "Settlement only: reconciliation totals",
        "purser.wallet.v1.Wallet/GetSpendCounters": "Policy only: counters for Simulate",
        "purser.wallet.v1.Wallet/PolicyChanged": "Policy only: policy epochs",
        "purser.policy.v1.Policy/Evaluate": "Wallet only: the decision on the money path",
        "purser.email.v1.EmailAlias/DisableAgent": "Identity only: a revoked agent's aliases",
        "purser.health.v1.Health/Check": "served as GET /healthz for every service at once",
    ]

    /// The route `verb path` matches, with the path's bound fields; `nil`
    /// when no route has that path (`pathKnown` tells a 405 from a 404).
    package static func match(_ verb: HTTPVerb, _ path: String) -> (route: Route, fields: [String: String])? {
        let segments = Route.segments(of: path)
        for (route, pattern) in zip(all, patterns) where route.verb == verb {
            if let fields = Route.bind(segments, to: pattern) { return (route, fields) }
        }
        return nil
    }

    /// Whether some route serves `path` with another verb (answer 405, not 404).
    package static func pathKnown(_ path: String) -> [HTTPVerb] {
        let segments = Route.segments(of: path)
        return zip(all, patterns).filter { Route.bind(segments, to: $0.1) != nil }.map(\.0.verb)
    }

    /// Each route's path as `Route.pattern(of:)` reads it, read once.
    private static let patterns = all.map { Route.pattern(of: $0.path) }
}

/// The HTTP verbs routes use.
package enum HTTPVerb: String, Sendable, Hashable, CaseIterable {
    case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"

    /// Whether the request's fields come from the query string rather than a body.
    package var readsQuery: Bool { self == .get || self == .delete }
}

/// One method served at one verb and path.
package struct Route: Sendable, Hashable {
    package var verb: HTTPVerb
    /// `/v1/tenants/{tenant_id}/agents`.
    package var path: String
    /// `purser.identity.v1.Identity/CreateAgent`.
    package let method: String
    /// `identity` from `purser.identity.v1.Identity/CreateAgent`: the service that answers.
    package let service: String
    /// Answered without a bearer token (Authenticate, the signing keys).
    package var isPublic: Bool

    init(_ verb: HTTPVerb, _ path: String, _ method: String, public isPublic: Bool = false) {
        self.verb = verb
        self.path = path
        self.method = method
        let parts = method.split(separator: ".")
        service = parts.count > 1 ? String(parts[1]) : ""
        self.isPublic = isPublic
    }

    /// The request fields the path binds, in order.
    package var pathFields: [String] {
        Route.segments(of: path).compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    /// `Authorize` from `purser.wallet.v1.Wallet/Authorize`.
    package var methodName: String { String(method.split(separator: "/").last ?? "") }

    /// Whether `purser/1` requires an `idempotency-key` on this route's calls:
    /// every mutating Wallet method does (PROTOCOL.md, "Metadata").
    package func requiresIdempotencyKey(readOnly: Bool) -> Bool { service == "wallet" && !readOnly }

    static func segments(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { $0 }
    }

    /// One segment of a route's path: literal text, or `{name}`, which binds field `name`.
    enum PathSegment: Sendable {
        case literal(Substring)
        case field(String)
    }

    /// The segments of a route's path.
    static func pattern(of path: String) -> [PathSegment] {
        segments(of: path).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? .field(String(segment.dropFirst().dropLast())) : .literal(segment)
        }
    }

    /// The fields bound by `segments` when they match `pattern`.
    static func bind(_ segments: [Substring], to pattern: [PathSegment]) -> [String: String]? {
        guard pattern.count == segments.count else { return nil }
        var fields: [String: String] = [:]
        for (expected, actual) in zip(pattern, segments) {
            switch expected {
            case .field(let name):
                guard !actual.isEmpty, let value = String(actual).removingPercentEncoding else { return nil }
                fields[name] = value
            case .literal(let text):
                guard text == actual else { return nil }
            }
        }
        return fields
    }
}

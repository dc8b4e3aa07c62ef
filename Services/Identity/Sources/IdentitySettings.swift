import PurserAuth
import PurserKit
import PurserRPC
import PurserService

/// Identity's own settings, beyond the common `ServiceSettings`
/// (`PURSER_IDENTITY_…`, documented in the README).
package struct IdentitySettings: Sendable {
    /// Seals private signing keys at rest (`PURSER_IDENTITY_KEK`, base64 of 32 bytes).
    package var keyEncryptionKey: KeyEncryptionKey
    /// Lifetime of issued tokens (default 15 minutes).
    package var tokenLifetime: Duration
    /// Who is told about agent revocations.
    package var revocationSubscribers: [RevocationSubscriber]
    /// Wait before the first retry of an undelivered notice; doubles up to `retryMaximum`.
    package var retrySchedule: RetrySchedule
    /// How often the background dispatcher looks for due notices.
    package var dispatchInterval: Duration
    /// Bound on one delivery attempt.
    package var deliveryTimeout: Duration
    /// Longest lifetime of a payment token (default 1 hour, the Wallet's
    /// default longest hold: the Wallet refuses a payment token that lives
    /// longer than its `PURSER_WALLET_HOLD_TTL_MAX`).
    package var paymentTokenMaximumLifetime: Duration
    /// How webhooks are delivered.
    package var webhooks: WebhookSettings
    /// Deepest sub-agent: a child's depth may be at most this (default 4; a root agent is depth 0).
    package var maximumAgentDepth: Int
    /// Most live children of one agent (default 32).
    package var maximumChildren: Int
    /// Where the Wallet listens (CreateSubAgent funds the child from its parent).
    package var walletEndpoint: Endpoint
    /// Where Policy listens (CreateSubAgent stores the child's policy override).
    package var policyEndpoint: Endpoint
    /// Where Email listens (CreateSubAgent answers the child's primary address).
    package var emailEndpoint: Endpoint

    /// Memberwise, for tests and embedders; defaults match the documented ones.
    package init(
        keyEncryptionKey: KeyEncryptionKey, tokenLifetime: Duration = .seconds(900),
        revocationSubscribers: [RevocationSubscriber] = [], retrySchedule: RetrySchedule = RetrySchedule(),
        dispatchInterval: Duration = .milliseconds(500), deliveryTimeout: Duration = .seconds(2),
        paymentTokenMaximumLifetime: Duration = .seconds(3_600), webhooks: WebhookSettings = WebhookSettings(),
        maximumAgentDepth: Int = 4, maximumChildren: Int = 32,
        walletEndpoint: Endpoint = ServiceName.wallet.defaultEndpoint, policyEndpoint: Endpoint = ServiceName.policy.defaultEndpoint,
        emailEndpoint: Endpoint = ServiceName.email.defaultEndpoint
    ) {
        self.keyEncryptionKey = keyEncryptionKey
        self.tokenLifetime = tokenLifetime
        self.revocationSubscribers = revocationSubscribers
        self.retrySchedule = retrySchedule
        self.dispatchInterval = dispatchInterval
        self.deliveryTimeout = deliveryTimeout
        self.paymentTokenMaximumLifetime = paymentTokenMaximumLifetime
        self.webhooks = webhooks
        self.maximumAgentDepth = maximumAgentDepth
        self.maximumChildren = maximumChildren
        self.walletEndpoint = walletEndpoint
        self.policyEndpoint = policyEndpoint
        self.emailEndpoint = emailEndpoint
    }

    /// Reads the `PURSER_IDENTITY_…` settings; errors name the variable.
    package init(configuration: Configuration) throws {
        let kekText = try configuration.string("KEK", doc: "base64 of 32 random bytes sealing private signing keys")
        let kek: KeyEncryptionKey
        if configuration.isDocumenting {
            kek = try KeyEncryptionKey.generate()
        } else {
            do {
                kek = try KeyEncryptionKey(base64: kekText)
            } catch {
                throw SettingError(variable: configuration.variable("KEK"), value: "<redacted>", expected: "base64 of 32 bytes")
            }
        }
        let lifetime = try configuration.duration("TOKEN_LIFETIME", default: "15m", doc: "lifetime of issued tokens")
        guard lifetime >= .seconds(10), lifetime <= .seconds(86_400) else {
            throw SettingError(variable: configuration.variable("TOKEN_LIFETIME"), value: "\(lifetime)", expected: "between 10s and 24h")
        }
        let paymentLifetime = try configuration.duration(
            "PAYMENT_TOKEN_MAX_LIFETIME", default: "1h", doc: "longest lifetime of a payment token (at most the Wallet's HOLD_TTL_MAX)")
        guard paymentLifetime >= .seconds(1), paymentLifetime <= .seconds(86_400) else {
            throw SettingError(
                variable: configuration.variable("PAYMENT_TOKEN_MAX_LIFETIME"), value: "\(paymentLifetime)", expected: "between 1s and 24h")
        }
        let entries = try configuration.list(
            "REVOCATION_SUBSCRIBERS", default: [],
            doc: "name=host:port[/package.Service/Method] told about agent revocations, e.g. wallet=127.0.0.1:7102,email=127.0.0.1:7105")
        let subscribers: [RevocationSubscriber]
        do {
            subscribers = try RevocationSubscriber.parseList(entries)
        } catch {
            throw SettingError(
                variable: configuration.variable("REVOCATION_SUBSCRIBERS"), value: error.entry, expected: "a subscriber (\(error.problem))")
        }
        let depth = try configuration.int(
            "MAX_AGENT_DEPTH", default: 4, in: 0...64, doc: "deepest sub-agent: a child's depth may be at most this (a root agent is 0)")
        let children = try configuration.int("MAX_CHILDREN", default: 32, in: 0...10_000, doc: "most live sub-agents of one agent")
        let walletEndpoint = try configuration.endpoint(
            "WALLET_ENDPOINT", default: ServiceName.wallet.defaultEndpoint.description,
            doc: "host:port of the Wallet (funds a new sub-agent from its parent)")
        let policyEndpoint = try configuration.endpoint(
            "POLICY_ENDPOINT", default: ServiceName.policy.defaultEndpoint.description,
            doc: "host:port of Policy (stores a new sub-agent's policy override)")
        let emailEndpoint = try configuration.endpoint(
            "EMAIL_ENDPOINT", default: ServiceName.email.defaultEndpoint.description,
            doc: "host:port of Email (a new sub-agent's primary address)")
        self.init(
            keyEncryptionKey: kek,
            tokenLifetime: lifetime,
            revocationSubscribers: subscribers,
            retrySchedule: RetrySchedule(
                initial: try configuration.duration("REVOCATION_RETRY_INITIAL", default: "200ms", doc: "first retry delay of an undelivered revocation"),
                maximum: try configuration.duration("REVOCATION_RETRY_MAX", default: "1m", doc: "longest retry delay of an undelivered revocation")),
            dispatchInterval: try configuration.duration(
                "REVOCATION_DISPATCH_INTERVAL", default: "500ms", doc: "how often undelivered revocations are looked for"),
            deliveryTimeout: try configuration.duration(
                "REVOCATION_DELIVERY_TIMEOUT", default: "2s", doc: "bound on one delivery attempt to a subscriber"),
            paymentTokenMaximumLifetime: paymentLifetime,
            webhooks: try WebhookSettings(configuration: configuration),
            maximumAgentDepth: depth, maximumChildren: children, walletEndpoint: walletEndpoint, policyEndpoint: policyEndpoint,
            emailEndpoint: emailEndpoint)
    }

    /// The token lifetime in whole seconds.
    var tokenLifetimeSeconds: Int64 { tokenLifetime.components.seconds }
}

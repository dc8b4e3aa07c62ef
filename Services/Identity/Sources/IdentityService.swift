import Foundation
import PurserAPI
import PurserAuth
import PurserKit
import PurserPostgres
import PurserRPC
import PurserService

/// The Identity service: tenants, API keys, agents, providers, tokens and
/// instant revocation (`purser.identity.v1.Identity`).
///
/// Every handler is registered through `IdentityAccess.rules`, so a caller of
/// the wrong kind is refused before the request is read; inside, another
/// tenant's (agent's, provider's) ids answer NOT_FOUND. Secrets are shown
/// once and stored as SHA-256 digests in `identity.credentials`.
package final class IdentityService: Sendable {
    package let settings: IdentitySettings
    package let tokenIssuer: String
    package let defaultAudience: String
    let pool: PostgresPool
    let keys: SigningKeyStore
    let verifier: TokenVerifier
    package let dispatcher: RevocationDispatcher
    /// Delivers webhooks; nudged after every transaction that queues deliveries.
    package let webhooks: WebhookDeliverer
    /// The Wallet, Policy and Email, reached as service `identity` (CreateSubAgent's budget, policy and address).
    let wallet: RPCClient
    let policy: RPCClient
    let email: RPCClient
    let logger: Logger

    /// Builds the service on `host`'s pool and verifier, and adds the
    /// revocation dispatcher to the host's background services.
    package init(host: ServiceHost, settings: IdentitySettings, clientTLS: TLSConfiguration) throws(RPCError) {
        self.settings = settings
        self.tokenIssuer = host.settings.tokenIssuer
        self.defaultAudience = host.settings.tokenAudience
        self.pool = host.pool
        self.verifier = host.verifier
        self.logger = host.logger
        self.keys = SigningKeyStore(pool: host.pool, kek: settings.keyEncryptionKey, tokenLifetime: settings.tokenLifetime)
        self.dispatcher = try RevocationDispatcher(
            pool: host.pool, subscribers: settings.revocationSubscribers, clientTLS: clientTLS,
            schedule: settings.retrySchedule, interval: settings.dispatchInterval,
            attemptTimeout: settings.deliveryTimeout, logger: host.logger.with(["component": "revocation-dispatcher"]))
        host.addBackground("revocation-dispatcher", dispatcher)
        func peer(_ name: String, _ endpoint: Endpoint) throws(RPCError) -> RPCClient {
            try RPCClient(
                configuration: ClientConfiguration(
                    host: endpoint.host, port: endpoint.port, serverName: endpoint.host, expectedPeer: name, tls: clientTLS),
                logger: host.logger.with(["peer": name]))
        }
        self.wallet = try peer("wallet", settings.walletEndpoint)
        self.policy = try peer("policy", settings.policyEndpoint)
        self.email = try peer("email", settings.emailEndpoint)
        do {
            self.webhooks = try WebhookDeliverer(
                pool: host.pool, kek: settings.keyEncryptionKey, settings: settings.webhooks, metrics: host.metrics,
                logger: host.logger.with(["component": "webhook-deliverer"]))
        } catch {
            throw RPCError(.internal, "webhook sender: \(error)", reason: "tls_configuration")
        }
        host.addBackground("webhook-deliverer", webhooks)
        register(on: host)
    }

    /// The sources Identity's own verifier uses: its key table and its revocation table.
    package static func localAuthentication(settings: IdentitySettings) -> ServiceHost.Authentication {
        .local { pool in
            (SigningKeyStore(pool: pool, kek: settings.keyEncryptionKey, tokenLifetime: settings.tokenLifetime),
             RevocationTable(pool: pool))
        }
    }

    /// Makes sure a current signing key exists (creating the first one).
    package func prepareSigningKey() async throws {
        _ = try await keys.currentSigner()
    }

    private func register(on host: ServiceHost) {
        func kinds(_ method: String) -> Set<Principal.Kind> { IdentityAccess.allowedKinds(method) }
        host.handleUnauthenticated(IdentityMethods.bootstrap) { [self] request, context in
            try await bootstrap(request, context: context)
        }
        host.handle(IdentityMethods.createTenant, allowing: kinds(IdentityMethods.createTenant.fullName)) { [self] request, principal, _ in
            try await createTenant(request, principal: principal)
        }
        host.handle(IdentityMethods.getTenant, allowing: kinds(IdentityMethods.getTenant.fullName)) { [self] request, principal, _ in
            try await getTenant(request, principal: principal)
        }
        host.handle(IdentityMethods.listTenants, allowing: kinds(IdentityMethods.listTenants.fullName)) { [self] request, principal, _ in
            try await listTenants(request, principal: principal)
        }
        host.handle(IdentityMethods.createApiKey, allowing: kinds(IdentityMethods.createApiKey.fullName)) { [self] request, principal, _ in
            try await createApiKey(request, principal: principal)
        }
        host.handle(IdentityMethods.listApiKeys, allowing: kinds(IdentityMethods.listApiKeys.fullName)) { [self] request, principal, _ in
            try await listApiKeys(request, principal: principal)
        }
        host.handle(IdentityMethods.revokeApiKey, allowing: kinds(IdentityMethods.revokeApiKey.fullName)) { [self] request, principal, _ in
            try await revokeApiKey(request, principal: principal)
        }
        host.handle(IdentityMethods.createAgent, allowing: kinds(IdentityMethods.createAgent.fullName)) { [self] request, principal, _ in
            try await createAgent(request, principal: principal)
        }
        host.handle(IdentityMethods.getAgent, allowing: kinds(IdentityMethods.getAgent.fullName)) { [self] request, principal, _ in
            try await getAgent(request, principal: principal)
        }
        host.handle(
            IdentityMethods.findAgent, allowing: kinds(IdentityMethods.findAgent.fullName),
            services: IdentityAccess.allowedServices(IdentityMethods.findAgent.fullName)
        ) { [self] request, _, _ in
            try await findAgent(request)
        }
        host.handle(IdentityMethods.createSubAgent, allowing: kinds(IdentityMethods.createSubAgent.fullName)) { [self] request, principal, _ in
            try await createSubAgent(request, principal: principal)
        }
        host.handle(IdentityMethods.listAgents, allowing: kinds(IdentityMethods.listAgents.fullName)) { [self] request, principal, _ in
            try await listAgents(request, principal: principal)
        }
        host.handle(IdentityMethods.rotateAgentSecret, allowing: kinds(IdentityMethods.rotateAgentSecret.fullName)) { [self] request, principal, _ in
            try await rotateAgentSecret(request, principal: principal)
        }
        host.handle(IdentityMethods.suspendAgent, allowing: kinds(IdentityMethods.suspendAgent.fullName)) { [self] request, principal, _ in
            try await setAgentSuspended(request, suspended: true, principal: principal)
        }
        host.handle(IdentityMethods.resumeAgent, allowing: kinds(IdentityMethods.resumeAgent.fullName)) { [self] request, principal, _ in
            try await setAgentSuspended(request, suspended: false, principal: principal)
        }
        host.handle(IdentityMethods.revokeAgent, allowing: kinds(IdentityMethods.revokeAgent.fullName)) { [self] request, principal, _ in
            try await revokeAgent(request, principal: principal)
        }
        host.handle(IdentityMethods.registerProvider, allowing: kinds(IdentityMethods.registerProvider.fullName)) { [self] request, principal, _ in
            try await registerProvider(request, principal: principal)
        }
        host.handle(IdentityMethods.getProvider, allowing: kinds(IdentityMethods.getProvider.fullName)) { [self] request, principal, _ in
            try await getProvider(request, principal: principal)
        }
        host.handle(IdentityMethods.listProviders, allowing: kinds(IdentityMethods.listProviders.fullName)) { [self] request, principal, _ in
            try await listProviders(request, principal: principal)
        }
        host.handle(IdentityMethods.rotateProviderSecret, allowing: kinds(IdentityMethods.rotateProviderSecret.fullName)) { [self] request, principal, _ in
            try await rotateProviderSecret(request, principal: principal)
        }
        host.handleUnauthenticated(IdentityMethods.authenticate) { [self] request, _ in
            try await authenticate(request)
        }
        host.handleUnauthenticated(IdentityMethods.getSigningKeys) { [self] _, _ in
            GetSigningKeysResponse(jwksJSON: try await keys.fetchSigningKeys().jsonString())
        }
        host.handle(IdentityMethods.rotateSigningKey, allowing: kinds(IdentityMethods.rotateSigningKey.fullName)) { [self] _, _, _ in
            let rotated = try await keys.rotate()
            // This replica's own verifier learns the new key before any token it signs comes back.
            try? await verifier.refreshKeys()
            logger.notice("signing key rotated", ["kid": rotated.kid, "previous_kid": rotated.previousKid])
            return rotated
        }
        host.handle(IdentityMethods.listRevocations, allowing: kinds(IdentityMethods.listRevocations.fullName)) { [self] request, _, _ in
            try await listRevocations(request)
        }
        host.handleUnauthenticated(IdentityMethods.endSession) { [self] request, _ in
            try await endSession(request)
        }
        host.handle(IdentityMethods.issuePaymentToken, allowing: kinds(IdentityMethods.issuePaymentToken.fullName)) { [self] request, principal, _ in
            try await issuePaymentToken(request, principal: principal)
        }
        host.handle(IdentityMethods.updateTenantSettings, allowing: kinds(IdentityMethods.updateTenantSettings.fullName)) { [self] request, principal, _ in
            try await updateTenantSettings(request, principal: principal)
        }
        host.handle(IdentityMethods.createWebhookEndpoint, allowing: kinds(IdentityMethods.createWebhookEndpoint.fullName)) { [self] request, principal, _ in
            try await createWebhookEndpoint(request, principal: principal)
        }
        host.handle(IdentityMethods.listWebhookEndpoints, allowing: kinds(IdentityMethods.listWebhookEndpoints.fullName)) { [self] request, principal, _ in
            try await listWebhookEndpoints(request, principal: principal)
        }
        host.handle(IdentityMethods.updateWebhookEndpoint, allowing: kinds(IdentityMethods.updateWebhookEndpoint.fullName)) { [self] request, principal, _ in
            try await updateWebhookEndpoint(request, principal: principal)
        }
        host.handle(IdentityMethods.deleteWebhookEndpoint, allowing: kinds(IdentityMethods.deleteWebhookEndpoint.fullName)) { [self] request, principal, _ in
            try await deleteWebhookEndpoint(request, principal: principal)
        }
        host.handle(IdentityMethods.rotateWebhookSecret, allowing: kinds(IdentityMethods.rotateWebhookSecret.fullName)) { [self] request, principal, _ in
            try await rotateWebhookSecret(request, principal: principal)
        }
        host.handle(IdentityMethods.listWebhookDeliveries, allowing: kinds(IdentityMethods.listWebhookDeliveries.fullName)) { [self] request, principal, _ in
            try await listWebhookDeliveries(request, principal: principal)
        }
        host.handle(IdentityMethods.redeliverWebhook, allowing: kinds(IdentityMethods.redeliverWebhook.fullName)) { [self] request, principal, _ in
            try await redeliverWebhook(request, principal: principal)
        }
        host.handle(
            IdentityMethods.signCreditAttestation, allowing: kinds(IdentityMethods.signCreditAttestation.fullName),
            services: IdentityAccess.allowedServices(IdentityMethods.signCreditAttestation.fullName)
        ) { [self] request, _, _ in
            try await signCreditAttestation(request)
        }
        host.handle(
            IdentityMethods.publishEvents, allowing: kinds(IdentityMethods.publishEvents.fullName),
            services: IdentityAccess.allowedServices(IdentityMethods.publishEvents.fullName)
        ) { [self] request, principal, _ in
            try await publishEvents(request, principal: principal)
        }
    }

    /// A fresh secret of kind `prefix`.
    static func newSecret(_ prefix: Secret.Prefix) throws -> Secret {
        try Secret.generate(prefix: prefix)
    }

    /// A fresh lower-case UUID.
    static func newID() -> String { UUID().uuidString.lowercased() }

    /// Runs a tenant-scoped check, turning `AuthError` into the edge's status.
    static func check(_ body: () throws(AuthError) -> Void) throws(RPCError) {
        do {
            try body()
        } catch {
            throw error.rpcError
        }
    }
}

import PurserAPI
import PurserAuth

/// Who may call each Identity method, declared once. Handlers enforce their
/// rule before they look at the request, so a principal of the wrong kind
/// learns nothing (PERMISSION_DENIED); the tenant, agent and provider checks
/// inside handlers then turn foreign ids into NOT_FOUND.
package enum IdentityAccess {
    /// How a method's caller must authenticate.
    package enum Rule: Sendable, Equatable {
        /// No credential needed (the request itself carries the secret, or the answer is public).
        case anyone
        /// A client certificate from the deployment's CA (mutual TLS), whatever its name.
        case deploymentCertificate
        /// One of these principal kinds.
        case principals(Set<Principal.Kind>)
    }

    /// The rule of every method of `purser.identity.v1.Identity`, by full name.
    package static let rules: [String: Rule] = [
        IdentityMethods.bootstrap.fullName: .deploymentCertificate,
        IdentityMethods.createTenant.fullName: .principals([.operator]),
        IdentityMethods.getTenant.fullName: .principals([.operator, .tenantAdmin, .tenantFinance, .service]),
        IdentityMethods.listTenants.fullName: .principals([.operator]),
        IdentityMethods.updateTenantSettings.fullName: .principals([.operator, .tenantAdmin]),
        IdentityMethods.createApiKey.fullName: .principals([.operator, .tenantAdmin]),
        IdentityMethods.listApiKeys.fullName: .principals([.operator, .tenantAdmin]),
        IdentityMethods.revokeApiKey.fullName: .principals([.operator, .tenantAdmin]),
        IdentityMethods.createAgent.fullName: .principals([.tenantAdmin]),
        IdentityMethods.getAgent.fullName: .principals([.tenantAdmin, .tenantFinance, .agent, .service]),
        // An agent lists its own subtree (or a descendant's) with `subtree_of`.
        IdentityMethods.listAgents.fullName: .principals([.tenantAdmin, .tenantFinance, .agent]),
        // The parent agent itself (or its tenant's admin) creates a sub-agent.
        IdentityMethods.createSubAgent.fullName: .principals([.tenantAdmin, .agent]),
        IdentityMethods.findAgent.fullName: .principals([.service]),
        IdentityMethods.rotateAgentSecret.fullName: .principals([.tenantAdmin, .agent]),
        // An agent acts on its strict descendants only.
        IdentityMethods.suspendAgent.fullName: .principals([.tenantAdmin, .agent]),
        IdentityMethods.resumeAgent.fullName: .principals([.tenantAdmin, .agent]),
        IdentityMethods.revokeAgent.fullName: .principals([.tenantAdmin, .agent]),
        IdentityMethods.registerProvider.fullName: .principals([.operator]),
        IdentityMethods.getProvider.fullName: .principals([.operator, .tenantAdmin, .tenantFinance, .agent, .provider, .service]),
        IdentityMethods.listProviders.fullName: .principals([.operator, .tenantAdmin, .tenantFinance, .agent, .provider]),
        IdentityMethods.rotateProviderSecret.fullName: .principals([.operator, .provider]),
        IdentityMethods.authenticate.fullName: .anyone,
        IdentityMethods.getSigningKeys.fullName: .anyone,
        IdentityMethods.rotateSigningKey.fullName: .principals([.operator]),
        IdentityMethods.listRevocations.fullName: .principals([.service]),
        IdentityMethods.issuePaymentToken.fullName: .principals([.agent]),
        IdentityMethods.signCreditAttestation.fullName: .principals([.service]),
        IdentityMethods.publishEvents.fullName: .principals([.service]),
        // The request carries the token it ends: holding it is the authority.
        IdentityMethods.endSession.fullName: .anyone,
        IdentityMethods.createWebhookEndpoint.fullName: .principals([.tenantAdmin]),
        IdentityMethods.listWebhookEndpoints.fullName: .principals([.tenantAdmin, .tenantFinance]),
        IdentityMethods.updateWebhookEndpoint.fullName: .principals([.tenantAdmin]),
        IdentityMethods.deleteWebhookEndpoint.fullName: .principals([.tenantAdmin]),
        IdentityMethods.rotateWebhookSecret.fullName: .principals([.tenantAdmin]),
        IdentityMethods.listWebhookDeliveries.fullName: .principals([.tenantAdmin, .tenantFinance]),
        IdentityMethods.redeliverWebhook.fullName: .principals([.tenantAdmin]),
    ]

    /// The services allowed to call a method open to services, by full
    /// method name (a method not named here is open to every service).
    package static let services: [String: Set<String>] = [
        IdentityMethods.signCreditAttestation.fullName: ["wallet"],
        IdentityMethods.findAgent.fullName: ["wallet"],
        // The services with an event outbox (EventCatalogue's sources other than Identity).
        IdentityMethods.publishEvents.fullName: ["wallet", "email", "settlement"],
    ]

    /// The services allowed to call `method`; empty = any service its rule admits.
    package static func allowedServices(_ method: String) -> Set<String> {
        services[method] ?? []
    }

    /// The principal kinds allowed to call `method`; empty for methods that take no principal.
    package static func allowedKinds(_ method: String) -> Set<Principal.Kind> {
        if case .principals(let kinds) = rules[method] { return kinds }
        return []
    }
}

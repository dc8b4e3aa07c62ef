import PurserAPI
import PurserAuth
import PurserPostgres
import PurserRPC
import PurserService

extension IdentityService {
    /// Registers a provider (operator only) and returns its `purser_pk_`
    /// secret once. Slugs are unique (ALREADY_EXISTS, `slug_taken`).
    func registerProvider(_ request: RegisterProviderRequest, principal: Principal) async throws -> RegisterProviderResponse {
        let slug = try Validation.handle(request.slug, field: "slug")
        let name = try Validation.text(request.name, field: "name", required: true)
        let category = try Validation.category(request.defaultCategory, field: "default_category")
        var categories: [String] = []
        for name in request.categories {
            let normalized = try Validation.category(name, field: "categories")
            if !normalized.isEmpty, normalized != category, !categories.contains(normalized) { categories.append(normalized) }
        }
        guard categories.count <= Validation.maximumProviderCategories else {
            throw RPCError.invalid(
                "categories", "at most \(Validation.maximumProviderCategories) categories", reason: "category_invalid")
        }
        let categoryList = categories.joined(separator: ",")
        let secret = try Self.newSecret(.providerKey)
        let providerID = Self.newID(), digest = secret.digest
        let provider: Provider
        do {
            provider = try await pool.withTransaction { connection in
                let rows = try connection.query(
                    """
                    INSERT INTO identity.providers (provider_id, slug, name, default_category, categories)
                    VALUES ($1, $2, $3, $4, coalesce(string_to_array(nullif($5, ''), ','), '{}'))
                    RETURNING \(IdentityRows.providerColumns)
                    """, [providerID, slug, name, category, categoryList])
                _ = try connection.query(
                    "INSERT INTO identity.credentials (digest, role, subject_id) VALUES ($1, 'provider', $2)", [digest, providerID])
                return try IdentityRows.provider(rows[0])
            }
        } catch let error as PostgresError where error.violates("providers_slug_unique") {
            throw RPCError.alreadyExists("provider slug \"\(slug)\" already exists", reason: "slug_taken")
        }
        var response = RegisterProviderResponse()
        response.provider = provider
        response.secret = secret.exposedValue
        return response
    }

    /// A provider. Providers are a public catalogue for tenants and agents; a
    /// provider principal sees only itself (others answer NOT_FOUND).
    func getProvider(_ request: GetProviderRequest, principal: Principal) async throws -> Provider {
        let providerID = try Validation.id(request.providerID, what: "provider")
        if case .provider = principal {
            try Self.check { () throws(AuthError) in try principal.requireProvider(providerID) }
        }
        let provider = try await pool.withConnection { connection -> Provider? in
            let rows = try connection.query(
                "SELECT \(IdentityRows.providerColumns) FROM identity.providers WHERE provider_id = $1", [providerID])
            return try rows.first.map(IdentityRows.provider)
        }
        guard let provider else { throw RPCError.notFound("provider") }
        return provider
    }

    /// Providers by slug, paged. A provider principal sees only itself.
    func listProviders(_ request: ListProvidersRequest, principal: Principal) async throws -> ListProvidersResponse {
        let size = try PageToken.size(request.pageSize)
        let after = try PageToken.parse(request.pageToken)?.after ?? ""
        let only: String? = if case .provider(let providerID) = principal { providerID } else { nil }
        let providers = try await pool.withConnection { connection -> [Provider] in
            let rows = try connection.query(
                """
                SELECT \(IdentityRows.providerColumns) FROM identity.providers
                 WHERE slug > $1 AND ($2::uuid IS NULL OR provider_id = $2::uuid)
                 ORDER BY slug LIMIT $3
                """, [after, only, size + 1])
            return try rows.map(IdentityRows.provider)
        }
        var response = ListProvidersResponse()
        response.providers = Array(providers.prefix(size))
        if providers.count > size, let last = response.providers.last { response.nextPageToken = PageToken(after: last.slug).text }
        return response
    }

    /// Issues a new provider secret (operator, or the provider itself); the
    /// previous ones stop working now or after `grace_period_us`.
    func rotateProviderSecret(_ request: RotateProviderSecretRequest, principal: Principal) async throws -> RotateProviderSecretResponse {
        let providerID = try Validation.id(request.providerID, what: "provider")
        try Self.check { () throws(AuthError) in try principal.requireProvider(providerID) }
        let grace = try Validation.gracePeriod(request.gracePeriodUs)
        let secret = try Self.newSecret(.providerKey)
        let digest = secret.digest
        let previousExpiry = try await pool.withTransaction { connection -> Int64? in
            let rows = try connection.query(
                "SELECT 1 FROM identity.providers WHERE provider_id = $1 FOR UPDATE", [providerID])
            guard !rows.isEmpty else { return nil }
            let expiry = try IdentityService.retireCredentials(connection, subjectID: providerID, tenantID: nil, graceMicros: grace)
            _ = try connection.query(
                "INSERT INTO identity.credentials (digest, role, subject_id) VALUES ($1, 'provider', $2)", [digest, providerID])
            return expiry
        }
        guard let previousExpiry else { throw RPCError.notFound("provider") }
        var response = RotateProviderSecretResponse()
        response.secret = secret.exposedValue
        response.previousExpiresAtUs = previousExpiry
        return response
    }
}

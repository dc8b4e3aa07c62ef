import PurserAPI
import PurserAuth
import PurserPostgres
import PurserRPC
import PurserService

extension IdentityService {
    /// Creates a tenant (operator only). The slug is unique (ALREADY_EXISTS,
    /// `slug_taken`): it is claimed in `identity.tenant_slugs`, keyed by the
    /// slug alone, in the transaction that creates the tenant. The time zone
    /// must be an IANA name; currency defaults to USD.
    func createTenant(_ request: CreateTenantRequest, principal: Principal) async throws -> Tenant {
        let slug = try Validation.handle(request.slug, field: "slug")
        let name = try Validation.text(request.name, field: "name", required: true)
        let domain = try Validation.emailDomain(request.emailDomain)
        let timeZone = try Validation.timeZone(request.timeZone)
        let currency = try Validation.currency(request.currency)
        let tenantID = Self.newID(), adminCanReadMail = request.adminCanReadMail
        let acceptsOtherTenants = request.acceptsPaymentsFromOtherTenants
        do {
            return try await pool.withTransaction { connection in
                _ = try connection.query(
                    "INSERT INTO identity.tenant_slugs (slug, tenant_id) VALUES ($1, $2)", [slug, tenantID])
                let rows = try connection.query(
                    """
                    INSERT INTO identity.tenants (tenant_id, slug, name, email_domain, time_zone, currency, admin_can_read_mail,
                                                  accepts_payments_from_other_tenants)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    RETURNING \(IdentityRows.tenantColumns)
                    """, [tenantID, slug, name, domain, timeZone, currency, adminCanReadMail, acceptsOtherTenants])
                return try IdentityRows.tenant(rows[0])
            }
        } catch let error as PostgresError where error.violates("tenant_slugs_pkey") {
            throw RPCError.alreadyExists("tenant slug \"\(slug)\" already exists", reason: "slug_taken")
        }
    }

    /// A tenant: the operator and services see any; tenant principals only their own.
    func getTenant(_ request: GetTenantRequest, principal: Principal) async throws -> Tenant {
        let tenantID = try Validation.id(request.tenantID, what: "tenant")
        try Self.check { () throws(AuthError) in try principal.requireTenant(tenantID) }
        let tenant = try await pool.withConnection { connection -> Tenant? in
            let rows = try connection.query(
                "SELECT \(IdentityRows.tenantColumns) FROM identity.tenants WHERE tenant_id = $1", [tenantID])
            return try rows.first.map(IdentityRows.tenant)
        }
        guard let tenant else { throw RPCError.notFound("tenant") }
        return tenant
    }

    /// Changes the settings the request sets (the operator, or the tenant's
    /// admin for its own tenant; another tenant answers NOT_FOUND) and answers
    /// the tenant as it now is. Setting a value it already has changes nothing.
    func updateTenantSettings(_ request: UpdateTenantSettingsRequest, principal: Principal) async throws -> Tenant {
        let tenantID = try Validation.id(request.tenantID, what: "tenant")
        try Self.check { () throws(AuthError) in try principal.requireTenant(tenantID) }
        let accepts = request.acceptsPaymentsFromOtherTenants
        let tenant = try await pool.withConnection { connection -> Tenant? in
            let rows = try connection.query(
                """
                UPDATE identity.tenants
                   SET accepts_payments_from_other_tenants = coalesce($2, accepts_payments_from_other_tenants)
                 WHERE tenant_id = $1
                RETURNING \(IdentityRows.tenantColumns)
                """, [tenantID, accepts])
            return try rows.first.map(IdentityRows.tenant)
        }
        guard let tenant else { throw RPCError.notFound("tenant") }
        return tenant
    }

    /// Every tenant by slug, paged (operator only).
    func listTenants(_ request: ListTenantsRequest, principal: Principal) async throws -> ListTenantsResponse {
        let size = try PageToken.size(request.pageSize)
        let after = try PageToken.parse(request.pageToken)?.after ?? ""
        let tenants = try await pool.withConnection { connection -> [Tenant] in
            let rows = try connection.query(
                "SELECT \(IdentityRows.tenantColumns) FROM identity.tenants WHERE slug > $1 ORDER BY slug LIMIT $2",
                [after, size + 1])
            return try rows.map(IdentityRows.tenant)
        }
        var response = ListTenantsResponse()
        response.tenants = Array(tenants.prefix(size))
        if tenants.count > size, let last = response.tenants.last { response.nextPageToken = PageToken(after: last.slug).text }
        return response
    }
}

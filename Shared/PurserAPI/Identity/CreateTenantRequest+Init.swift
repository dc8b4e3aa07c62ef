extension CreateTenantRequest {
    public init(slug: String, name: String, emailDomain: String = "", timeZone: String = "", currency: String = "", adminCanReadMail: Bool = false,
                acceptsPaymentsFromOtherTenants: Bool = false) {
        self.init()
        self.slug = slug
        self.name = name
        self.emailDomain = emailDomain
        self.timeZone = timeZone
        self.currency = currency
        self.adminCanReadMail = adminCanReadMail
        self.acceptsPaymentsFromOtherTenants = acceptsPaymentsFromOtherTenants
    }
}

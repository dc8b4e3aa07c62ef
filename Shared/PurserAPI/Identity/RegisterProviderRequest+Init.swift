extension RegisterProviderRequest {
    public init(slug: String, name: String, defaultCategory: String = "", categories: [String] = []) {
        self.init()
        self.slug = slug
        self.name = name
        self.defaultCategory = defaultCategory
        self.categories = categories
    }
}

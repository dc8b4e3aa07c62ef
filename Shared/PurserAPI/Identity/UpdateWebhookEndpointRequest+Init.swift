extension UpdateWebhookEndpointRequest {
    /// Changes only what is given: `eventTypes` non-nil replaces the event types.
    public init(
        tenantID: String = "", endpointID: String, url: String? = nil, eventTypes: [String]? = nil, description: String? = nil,
        enabled: Bool? = nil
    ) {
        self.init()
        self.tenantID = tenantID
        self.endpointID = endpointID
        self.url = url
        if let eventTypes {
            self.replaceEventTypes = true
            self.eventTypes = eventTypes
        }
        self.description = description
        self.enabled = enabled
    }
}

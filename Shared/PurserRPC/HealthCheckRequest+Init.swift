extension HealthCheckRequest {
    public init(service: String) {
        self.init()
        self.service = service
    }
}

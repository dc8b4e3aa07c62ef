extension HealthCheckResponse {
    public init(status: ServingStatus) {
        self.init()
        self.status = status
    }
}

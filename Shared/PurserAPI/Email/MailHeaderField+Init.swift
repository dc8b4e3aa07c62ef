extension MailHeaderField {
    public init(name: String, value: String) {
        self.init()
        self.name = name
        self.value = value
    }
}

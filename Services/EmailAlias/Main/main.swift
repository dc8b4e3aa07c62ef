import PurserEmailService
import PurserService

// purser-email: reads PURSER_EMAIL_* (see the README), migrates the `email`
// schema, serves `purser.email.v1.EmailAlias` and accepts inbound SMTP until SIGTERM.
//   --health-check   exit 0 when the running service answers SERVING, 1 otherwise
//   --help-config    print every setting with its default

await ServiceMain.run(name: "email", settings: EmailSettings.init(configuration:)) { launch in
    let host = try await ServiceHost(
        settings: launch.common, migrations: EmailMigrations.all, authentication: .identityService, logger: launch.logger)
    _ = try EmailService(
        host: host, settings: launch.settings,
        directory: try EmailService.identityDirectory(host: host, settings: launch.settings))
    return host
}

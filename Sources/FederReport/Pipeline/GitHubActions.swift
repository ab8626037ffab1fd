import Foundation

/// Workflow commands for GitHub Actions: when a run is inside a workflow, a `--fail-if` failure is also printed as an
/// `::error::` annotation, so it shows on the run's summary and the pull request.
public enum GitHubActions {
    /// Whether this process runs in a GitHub Actions workflow (the runner sets `GITHUB_ACTIONS=true`).
    public static func isActive(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["GITHUB_ACTIONS"] == "true"
    }

    /// One `::error::` line per failure, escaped as the runner expects (`%`, CR and LF in the message).
    public static func errors(_ failures: [String], title: String) -> [String] {
        failures.map { "::error title=\(escapeProperty(title))::\(escapeData($0))" }
    }

    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(
            of: "\n", with: "%0A")
    }

    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}

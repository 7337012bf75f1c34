import Foundation
import ServiceKit
import Testing

/// deploy/compose, deploy/k8s, deploy/systemd and deploy/docker against Package.swift and each service's `--help`.
@Suite
struct ManifestTests {
    static let image = "scms-electors:latest"

    /// The services and their surfaces; at least the five of the design.
    static func surfaces() throws -> [String: ServiceSurface] {
        let surfaces = try ServiceSurface.all()
        #expect(surfaces.count >= 5, "services found in Package.swift: \(surfaces.keys.sorted())")
        return surfaces
    }

    /// The default HTTP port of a service (its `--http-port` default).
    static func httpPort(_ surface: ServiceSurface) throws -> String {
        try #require(surface.option(ConfigurationKey.httpPort.name)?.defaultValue, "\(surface.service): no --http-port default")
    }

    /// Env names a manifest gives `service` that the service does not accept.
    static func unknownEnvironment(_ names: some Sequence<String>, _ surface: ServiceSurface) -> [String] {
        names.filter { !surface.environmentNames.contains($0) }.sorted()
    }

    /// Absolute paths of SCMS_* values must lie under one of the mounts.
    static func unmountedPaths(_ environment: [String: String], mounts: [String]) -> [String] {
        environment.filter { key, value in
            key.hasPrefix("SCMS_") && value.hasPrefix("/")
                && !mounts.contains { value == $0 || value.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
        }.map { "\($0.key)=\($0.value)" }.sorted()
    }

    /// Every key of a `key = value` file is an option of the service or a `kafka.*` passthrough line.
    static func checkConfigFile(_ relative: String, _ surface: ServiceSurface) throws {
        let file = try ConfigurationFile(contentsOf: Repository.path(relative))
        #expect(!file.entries.isEmpty, "\(relative)")
        for entry in file.entries {
            let known = surface.optionNames.contains(entry.key) || entry.key.hasPrefix("kafka.")
            #expect(known, "\(relative):\(entry.line): '\(entry.key)' is not a setting of \(surface.service)")
        }
    }

    // MARK: - compose

    @Test("compose: every service runs its executable from the image, with env keys it accepts, its HTTP port, /healthz checks")
    func compose() throws {
        let surfaces = try Self.surfaces()
        let compose = try #require(try YAML.documents("deploy/compose/compose.yaml").first)
        let services = compose.map("services")
        for (name, surface) in surfaces {
            let service = services.map(name)
            #expect(!service.isEmpty, "compose has no service \(name)")
            guard !service.isEmpty else { continue }
            #expect(service.string("image") == Self.image)
            #expect(service.list("command").first as? String == name)
            let environment = service.map("environment").mapValues { "\($0)" }
            #expect(Self.unknownEnvironment(environment.keys, surface).isEmpty,
                    "\(name): \(Self.unknownEnvironment(environment.keys, surface))")
            let port = try Self.httpPort(surface)
            #expect(environment["SCMS_HTTP_PORT"] == port)
            let published = service.list("ports").compactMap { $0 as? String }
            #expect(published.contains { $0.hasSuffix(":\(port)") }, "\(name) publishes \(published)")
            let check = service.map("healthcheck").list("test").compactMap { $0 as? String }.joined(separator: " ")
            #expect(check.contains("127.0.0.1:\(port)/healthz"), "\(name): \(check)")
            #expect(service.string("stop_signal") == "SIGTERM")
            #expect(service.map("depends_on").map("kafka-init").string("condition") == "service_completed_successfully")
            let volumes = service.list("volumes").compactMap { $0 as? String }
            let mounts = volumes.compactMap { $0.split(separator: ":").dropFirst().first.map(String.init) }
            #expect(Self.unmountedPaths(environment, mounts: mounts).isEmpty, "\(name): \(Self.unmountedPaths(environment, mounts: mounts))")
            for volume in volumes where volume.hasPrefix("./") {
                let source = String(volume.split(separator: ":")[0].dropFirst(2))
                if source.hasSuffix(".conf") {
                    #expect(FileManager.default.fileExists(atPath: Repository.path("deploy/compose/" + source)), "\(volume)")
                    try Self.checkConfigFile("deploy/compose/" + source, surface)
                }
            }
        }
        let initService = services.map("kafka-init")
        #expect(initService.list("entrypoint").first as? String == "/opt/scms-kafka/create-topics.sh")
        #expect(initService.list("volumes").contains { ($0 as? String)?.hasPrefix("../kafka:/opt/scms-kafka") == true })
        #expect(services.map("endorsement-intake").map("build").string("dockerfile") == "deploy/docker/Dockerfile")
    }

    // MARK: - Kubernetes

    @Test("Kubernetes: a Deployment (or StatefulSet) and a /metrics Service per service, probes on /healthz, env and mounts that fit")
    func kubernetes() throws {
        let surfaces = try Self.surfaces()
        let documents = try YAML.documents("deploy/k8s/services.yaml")
        let kustomization = try #require(try YAML.documents("deploy/k8s/kustomization.yaml").first)
        let resources = Set(kustomization.list("resources").compactMap { $0 as? String })
        for file in try Repository.files("deploy/k8s") where file.hasSuffix(".yaml") && file != "kustomization.yaml" {
            #expect(resources.contains(file), "kustomization.yaml does not list \(file)")
        }
        let inputPartitions: [String: Int32] = ["endorsement-intake": Topics.ballotsSubmitted.partitions,
                                                "quorum-validator": Topics.ballotsAccepted.partitions]
        for (name, surface) in surfaces {
            let workloads = documents.filter {
                ["Deployment", "StatefulSet"].contains($0.string("kind") ?? "") && $0.at("metadata.name") as? String == name
            }
            #expect(workloads.count == 1, "\(name): workloads \(workloads.count)")
            guard let workload = workloads.first else { continue }
            let spec = workload.map("spec")
            let podLabels = try #require(spec.at("template.metadata.labels") as? [String: Any])
            let selector = try #require(spec.at("selector.matchLabels") as? [String: Any])
            for (key, value) in selector { #expect(podLabels[key] as? String == value as? String, "\(name): selector \(key)") }
            let pod = spec.map("template").map("spec")
            let containers = pod.maps("containers")
            #expect(containers.count == 1)
            let container = try #require(containers.first)
            #expect(container.string("image") == Self.image)
            #expect(container.list("command").compactMap { $0 as? String } == [name])
            var environment: [String: String] = [:]
            for entry in container.maps("env") {
                if let key = entry.string("name") { environment[key] = entry.string("value") ?? "" }
            }
            #expect(Self.unknownEnvironment(environment.keys, surface).isEmpty,
                    "\(name): \(Self.unknownEnvironment(environment.keys, surface))")
            let port = try Self.httpPort(surface)
            #expect(environment["SCMS_HTTP_PORT"] == port)
            let metrics = container.maps("ports").first { $0.string("name") == "metrics" }
            #expect(metrics?.string("containerPort") == port, "\(name)")
            for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
                let get = container.map(probe).map("httpGet")
                #expect(get.string("path") == "/healthz", "\(name) \(probe)")
                #expect(get.string("port") == "metrics", "\(name) \(probe)")
            }
            let mounts = container.maps("volumeMounts").compactMap { $0.string("mountPath") }
            #expect(Self.unmountedPaths(environment, mounts: mounts).isEmpty, "\(name): \(Self.unmountedPaths(environment, mounts: mounts))")
            let volumes = Set(pod.maps("volumes").compactMap { $0.string("name") })
                .union(spec.maps("volumeClaimTemplates").compactMap { $0.at("metadata.name") as? String })
            for mount in container.maps("volumeMounts") {
                #expect(volumes.contains(mount.string("name") ?? ""), "\(name): volume \(mount.string("name") ?? "?")")
            }
            if let partitions = inputPartitions[name] {
                #expect((spec.at("replicas") as? Int ?? 1) <= Int(partitions), "\(name): more replicas than input partitions")
            }
            // The /metrics Service.
            let service = try #require(documents.first {
                $0.string("kind") == "Service" && $0.at("metadata.name") as? String == name
            }, "\(name): no Service")
            let annotations = service.map("metadata").map("annotations")
            #expect(annotations.string("prometheus.io/path") == "/metrics")
            #expect(annotations.string("prometheus.io/port") == port)
            let servicePort = try #require(service.map("spec").maps("ports").first { $0.string("name") == "metrics" })
            #expect(servicePort.string("port") == port && servicePort.string("targetPort") == "metrics")
            let serviceSelector = service.map("spec").map("selector")
            for (key, value) in serviceSelector { #expect(podLabels[key] as? String == value as? String, "\(name): Service selector") }
        }
        // The expiry watcher must never run twice.
        let watcher = try #require(documents.first { $0.at("metadata.name") as? String == "expiry-watcher" && $0.string("kind") == "Deployment" })
        #expect(watcher.at("spec.replicas") as? Int == 1)
        #expect(watcher.at("spec.strategy.type") as? String == "Recreate")
    }

    // MARK: - systemd

    @Test("systemd: one unit per service running its executable, env keys it accepts, distinct HTTP ports, config files it accepts")
    func systemd() throws {
        let surfaces = try Self.surfaces()
        let executables = try PackageManifest.executables()
        var ports: [String: String] = [:]
        let target = try INIFile(parsing: try Repository.text("deploy/systemd/scms-electors.target"))
        let wanted = Set(target.values("Unit", "Wants").flatMap { $0.split(separator: " ").map(String.init) })
        for (name, surface) in surfaces {
            let unitName = "scms-\(name).service"
            let unit = try INIFile(parsing: try Repository.text("deploy/systemd/\(unitName)"))
            #expect(wanted.contains(unitName), "scms-electors.target does not want \(unitName)")
            let exec = try #require(unit.value("Service", "ExecStart")).split(separator: " ")
            let binary = try #require(exec.first.map { String($0.split(separator: "/").last ?? "") })
            #expect(binary == name && executables[binary] != nil, "\(unitName): ExecStart \(exec)")
            var environment: [String: String] = [:]
            for line in unit.values("Service", "Environment") {
                for assignment in line.split(separator: " ") {
                    let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
                    if parts.count == 2 { environment[parts[0]] = parts[1] }
                }
            }
            #expect(Self.unknownEnvironment(environment.keys, surface).isEmpty,
                    "\(unitName): \(Self.unknownEnvironment(environment.keys, surface))")
            let port = try #require(environment["SCMS_HTTP_PORT"], "\(unitName): units share a host, so each sets its port")
            #expect(ports[port] == nil, "\(unitName) and \(ports[port] ?? "") both use port \(port)")
            ports[port] = unitName
            #expect(unit.value("Service", "KillSignal") == "SIGTERM")
            #expect(unit.value("Service", "User") == "scms")
            #expect(unit.value("Service", "NoNewPrivileges") == "yes")
            #expect(unit.value("Install", "WantedBy") == "scms-electors.target")
            #expect(environment["SCMS_CONFIG"] == "/etc/scms/\(name).conf")
            try Self.checkConfigFile("deploy/systemd/conf/\(name).conf", surface)
            if let outDirectory = try ConfigurationFile(contentsOf: Repository.path("deploy/systemd/conf/\(name).conf"))
                .entry("out-dir")?.value {
                // ProtectSystem=strict: the GCCF directory must be the unit's state directory.
                let state = try #require(unit.value("Service", "StateDirectory"), "\(unitName): out-dir needs StateDirectory")
                #expect(outDirectory == "/var/lib/" + state)
            }
        }
    }

    // MARK: - Dockerfile

    @Test("Dockerfile: built with the Swift toolchain, run on debian:12-slim with librdkafka1 and libssl3, every service binary installed")
    func dockerfile() throws {
        let surfaces = try Self.surfaces()
        let executables = try PackageManifest.executables()
        let text = try Repository.text("deploy/docker/Dockerfile")
        // Join continuation lines, drop comments.
        let logical = text.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let froms = logical.filter { $0.hasPrefix("FROM ") }
        #expect(froms.count == 2)
        #expect(froms.first?.hasPrefix("FROM swift:") == true)
        #expect(froms.last == "FROM debian:12-slim")
        let runtime = logical.drop { $0 != "FROM debian:12-slim" }
        let installs = runtime.filter { $0.hasPrefix("RUN ") && $0.contains("apt-get install") }.joined(separator: " ")
        for package in ["librdkafka1", "libssl3", "curl"] { #expect(installs.contains(" \(package) "), "runtime lacks \(package)") }
        let copied = runtime.filter { $0.hasPrefix("COPY --from=build") }.flatMap { $0.split(separator: " ").dropFirst(2).dropLast() }
            .map { String($0.split(separator: "/").last ?? "") }
        for name in surfaces.keys { #expect(copied.contains(name), "the image lacks \(name)") }
        for name in copied { #expect(executables[name] != nil, "\(name) is not an executable product") }
        let built = logical.first { $0.contains("swift build") } ?? ""
        for name in copied { #expect(built.contains("--product \(name)"), "\(name) is not built") }
        let port = try Self.httpPort(try #require(surfaces["quorum-validator"]))
        #expect(runtime.contains("EXPOSE \(port)"))
        #expect(runtime.contains { $0.hasPrefix("USER ") && !$0.contains("root") })
    }
}

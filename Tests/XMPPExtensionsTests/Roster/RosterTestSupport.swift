import Synchronization
import XMPPCore
import XMPPXML

/// Collects a module's events as they come, so a test can wait for a number of them with a bound
/// that only keeps a broken test from hanging.
final class ModuleEventRecorder<Event: Sendable>: Sendable {
    private let received = Mutex<[Event]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Starts recording `stream` (subscribe before the action whose events you expect).
    init(_ stream: AsyncStream<Event>) {
        let reader = Task { [weak self] in
            for await event in stream { self?.received.withLock { $0.append(event) } }
        }
        task.withLock { $0 = reader }
    }

    deinit {
        task.withLock { $0?.cancel() }
    }

    var events: [Event] { received.withLock { $0 } }

    /// The events so far, once there are at least `count` (or after `timeout`, whatever came).
    func wait(count: Int, timeout: Duration = .seconds(10)) async -> [Event] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while events.count < count, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return events
    }
}

extension XMLElement {
    /// The element without whitespace-only text (the indentation of an RFC example).
    var withoutIndentation: XMLElement {
        var copy = self
        copy.children = children.compactMap { node in
            switch node {
            case .text(let text): return text.allSatisfy(\.isWhitespace) ? nil : node
            case .element(let element): return .element(element.withoutIndentation)
            }
        }
        return copy
    }
}

/// Stanzas built in tests.
enum RosterXML {
    /// A roster push from our server (no `from`, RFC 6121 §2.1.6) carrying `items` as XML.
    static func push(_ items: String, id: String = StanzaID.make(), ver: String? = nil) throws -> XMLElement {
        let version = ver.map { " ver='\($0)'" } ?? ""
        return try XEPExample.parse("<iq type='set' id='\(id)'><query xmlns='jabber:iq:roster'\(version)>\(items)</query></iq>")[0]
    }

    /// A roster result answering `request` with `items` as XML.
    static func result(for request: IQ, _ items: String, ver: String? = nil) throws -> IQ {
        let version = ver.map { " ver='\($0)'" } ?? ""
        let query = try XEPExample.parse("<query xmlns='jabber:iq:roster'\(version)>\(items)</query>")[0]
        return request.makeResult(payload: query)
    }
}

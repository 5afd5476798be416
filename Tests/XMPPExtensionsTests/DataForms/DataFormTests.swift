import Testing
import XMPPCore
import XMPPXML
@testable import XMPPExtensions

@Suite("Data forms (XEP-0004)")
struct DataFormTests {
    @Test("§9 Example 2 reads every field type and survives a round trip")
    func readsEveryFieldType() throws {
        let form = try DataForm(element: XEPExample.stanza("0004/form.xml"))
        #expect(form.kind == .form)
        #expect(form.title == "Bot Configuration")
        #expect(form.formType == "jabber:bot")
        #expect(form.fields.count == 12)
        #expect(form.field("public")?.isRequired == true)
        #expect(form.field("public")?.type == .boolean)
        #expect(form.field("features")?.values == ["news", "search"])
        #expect(form.field("features")?.options.count == 5)
        #expect(form.field("maxsubs")?.type == .listSingle)
        #expect(form.field("invitelist")?.description == "Tell all your friends about your new bot!")
        #expect(try DataForm(element: form.element) == form)
    }

    @Test("A submission keeps FORM_TYPE and only the fields the form has (§3.1)")
    func submission() throws {
        let form = try DataForm(element: XEPExample.stanza("0004/form.xml"))
        let submitted = form.submission(["botname": ["The Jabber Google Bot"], "public": ["0"], "unknown": ["x"]])
        #expect(submitted.kind == .submit)
        #expect(submitted.formType == "jabber:bot")
        #expect(submitted.value("botname") == "The Jabber Google Bot")
        #expect(submitted.field("unknown") == nil)
        #expect(form.missingRequiredFields(in: ["botname": ["x"]]) == ["public"])
        #expect(form.missingRequiredFields(in: ["public": ["1"]]).isEmpty)
    }

    @Test("An unknown field type is kept, and treated as text-single (§3.3)")
    func unknownFieldType() throws {
        let element = try XEPExample.parse("""
            <x xmlns='jabber:x:data' type='form'><field var='colour' type='x-rgb-picker'><value>#fff</value></field></x>
            """)[0]
        let form = try DataForm(element: element)
        #expect(form.field("colour")?.type == .other("x-rgb-picker"))
        #expect(form.field("colour")?.type?.isMultiValued == false)
        #expect(form.element.elements.first?.attribute("type") == "x-rgb-picker")
    }

    @Test("Malformed forms are bad-request", arguments: [
        "<x xmlns='jabber:x:data'/>",
        "<x xmlns='jabber:x:data' type='questionnaire'/>",
        "<x xmlns='jabber:x:data' type='form'><field type='text-single'/></x>",
        "<y xmlns='jabber:x:data' type='form'/>",
    ])
    func malformed(xml: String) throws {
        let element = try XEPExample.parse(xml)[0]
        #expect(throws: StanzaError.self) { try DataForm(element: element) }
        do { _ = try DataForm(element: element) } catch { #expect(error.condition == .badRequest) }
    }

    @Test("A result form's fields may lack var; boolean values read as the XEP allows")
    func resultAndBooleans() throws {
        let element = try XEPExample.parse("""
            <x xmlns='jabber:x:data' type='result'><field><value>no var</value></field>\
            <field var='a' type='boolean'><value>true</value></field><field var='b' type='boolean'><value>0</value></field>\
            <field var='c' type='boolean'><value>maybe</value></field></x>
            """)[0]
        let form = try DataForm(element: element)
        #expect(form.fields.count == 4)
        #expect(form.field("a")?.boolValue == true)
        #expect(form.field("b")?.boolValue == false)
        #expect(form.field("c")?.boolValue == nil)
    }
}

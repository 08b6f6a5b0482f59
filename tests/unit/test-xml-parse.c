/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vb_xml_parse: one parser context is reused from document to document, and every document
 * is parsed with blanks appended. What a caller sees must not change: the same errors with
 * the same line numbers, no state carried from one document (or failure) to the next,
 * documents that outlive the context that parsed them, long documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "util.h"
#include "xml-util.h"

static void expect_error(const char *xml, const char *message) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        xmlDocPtr doc = NULL;

        assert_true(vb_xml_parse(xml, "domain", &doc, &e) < 0);
        assert_null(doc);
        assert_non_null(e.message);
        if (!strstr(e.message, message))
                fail_msg("'%s': got '%s', expected '%s'", xml, e.message, message);
}

static xmlDocPtr parse_ok(const char *xml, const char *root) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        xmlDocPtr doc = NULL;

        if (vb_xml_parse(xml, root, &doc, &e) < 0)
                fail_msg("'%.60s': %s", xml, e.message);
        assert_non_null(doc);
        return doc;
}

static void test_errors(void **state) {
        /* at the end of the document: the appended blanks must not show */
        expect_error("<domain><name>x</name>", "line 1: Premature end of data in tag domain line 1");
        expect_error("<domain>\n  <name>x</name>\n", "line 3: Premature end of data in tag domain line 1");
        expect_error("<domain>\n<name>x</nam>\n</domain>", "line 2: Opening and ending tag mismatch: name line 2 and nam");
        expect_error("<domain/>junk", "line 1: Extra content at the end of the document");
        expect_error("<domain/>\n<other/>", "line 2: Extra content at the end of the document");
        expect_error("<domain>&foo;</domain>", "line 1: Entity 'foo' not defined");
        expect_error("x", "line 1: Start tag expected, '<' not found");
        expect_error("<other/>", "unexpected root element <other>, expecting <domain>");
        expect_error("<!DOCTYPE domain><domain/>", "DTDs and entities are not allowed");
}

/* a failure leaves nothing behind for the next document, and the other way round */
static void test_reuse(void **state) {
        for (int i = 0; i < 3; i++) {
                xmlDocPtr doc = parse_ok("<domain type='qemu'><name>a</name></domain>", "domain");
                assert_string_equal((const char *) xmlDocGetRootElement(doc)->children->children->content, "a");
                xmlFreeDoc(doc);
                expect_error("<domain><name>", "Premature end of data in tag name");
                expect_error("<domain a='1' a='2'/>", "Attribute a redefined");
        }
        xmlFreeDoc(parse_ok("<?xml version='1.0' encoding='ISO-8859-1'?><domain><name>\xe9</name></domain>", "domain"));
        xmlFreeDoc(parse_ok("<domain/>", "domain"));
}

/* longer than the parser's 250-byte lookahead and its 500-byte shrink threshold */
static void test_long_document(void **state) {
        _cleanup_vb_buf_ VbBuf b = { 0 };
        xmlDocPtr doc;
        unsigned n = 0;

        vb_buf_puts(&b, "<domain>\n");
        for (int i = 0; i < 2000; i++)
                vb_buf_printf(&b, "  <e%d a='%d'>text %d</e%d>\n", i % 7, i, i, i % 7);
        vb_buf_puts(&b, "</domain>");
        doc = parse_ok(b.data, "domain");
        for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        n++;
        assert_int_equal(n, 2000);
        xmlFreeDoc(doc);
}

/* Enough distinct element names to make vb_xml_parse drop its context (and the names'
 * dictionary) several times, while one document of the first context is still in use. */
static void test_dictionary_bound(void **state) {
        xmlDocPtr first = parse_ok("<domain><kept attr='value'/></domain>", "domain");
        xmlNodePtr kept;

        for (int d = 0; d < 60; d++) {
                _cleanup_vb_buf_ VbBuf b = { 0 };
                char want[32];

                vb_buf_puts(&b, "<domain>");
                for (int i = 0; i < 300; i++)
                        vb_buf_printf(&b, "<n%d_%d/>", d, i);
                vb_buf_puts(&b, "</domain>");
                xmlDocPtr doc = parse_ok(b.data, "domain");
                snprintf(want, sizeof(want), "n%d_0", d);
                assert_string_equal((const char *) xmlDocGetRootElement(doc)->children->name, want);
                xmlFreeDoc(doc);
        }
        kept = xmlDocGetRootElement(first)->children;
        assert_string_equal((const char *) kept->name, "kept");
        assert_string_equal((const char *) kept->properties->name, "attr");
        assert_string_equal((const char *) kept->properties->children->content, "value");
        xmlFreeDoc(first);
}

/* vb_xml_prop/vb_xml_content read a lone text child directly: the same as libxml2 gives */
static void test_accessors(void **state) {
        xmlDocPtr doc = parse_ok("<domain a='1 &amp; 2' b='' x:a='ns' xmlns:x='u'>"
                                 "<t>plain &lt;text&gt;</t><e/><m>one <b>two</b> three</m>"
                                 "<c><![CDATA[cdata]]></c><n x:a='only-ns' xmlns:x='u'/></domain>", "domain");
        xmlNodePtr root = xmlDocGetRootElement(doc), t = vb_xml_child(root, "t");
        _cleanup_free_ char *a = vb_xml_prop(root, "a"), *b = vb_xml_prop(root, "b"), *none = vb_xml_prop(root, "z");
        _cleanup_free_ char *nsonly = vb_xml_prop(vb_xml_child(root, "n"), "a");
        _cleanup_free_ char *tt = vb_xml_content(t), *e = vb_xml_content(vb_xml_child(root, "e"));
        _cleanup_free_ char *m = vb_xml_content(vb_xml_child(root, "m")), *c = vb_xml_content(vb_xml_child(root, "c"));
        _cleanup_free_ char *text = vb_xml_content(t->children);

        assert_string_equal(a, "1 & 2");
        assert_string_equal(b, "");
        assert_null(none);
        assert_null(nsonly);
        assert_string_equal(tt, "plain <text>");
        assert_string_equal(e, "");
        assert_string_equal(m, "one two three");
        assert_string_equal(c, "cdata");
        assert_string_equal(text, "plain <text>");
        assert_null(vb_xml_prop(NULL, "a"));
        assert_null(vb_xml_content(NULL));
        xmlFreeDoc(doc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_reuse),
                cmocka_unit_test(test_long_document),
                cmocka_unit_test(test_dictionary_bound),
                cmocka_unit_test(test_accessors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

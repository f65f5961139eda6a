package dev.aedb;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.File;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a project embedding aedb inherits: chronicle-queue, agrona and jackson-databind, nothing else. Every other
 * dependency of pom.xml is test-scoped or optional (the CLI's picocli and HdrHistogram, the SLF4J binding), so
 * {@code mvn dependency:tree} of a project depending on aedb shows no CLI framework.
 */
class DependencyScopeTest
{
    @Test
    void onlyTheEngineDependenciesArePassedOn() throws Exception
    {
        final Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File("pom.xml"))
            .getDocumentElement();
        final Set<String> passedOn = new TreeSet<>();
        Element dependencies = null;
        for (Node n = project.getFirstChild(); n != null; n = n.getNextSibling())
        {
            if (n instanceof Element e && e.getTagName().equals("dependencies"))
            {
                dependencies = e;
            }
        }
        final NodeList list = dependencies.getElementsByTagName("dependency");
        for (int i = 0; i < list.getLength(); i++)
        {
            final Element d = (Element)list.item(i);
            final String scope = text(d, "scope", "compile");
            final boolean optional = Boolean.parseBoolean(text(d, "optional", "false"));
            if (!optional && (scope.equals("compile") || scope.equals("runtime")))
            {
                passedOn.add(text(d, "artifactId", "?"));
            }
        }
        assertEquals(Set.of("agrona", "chronicle-queue", "jackson-databind"), passedOn,
            "dependencies a project embedding aedb would inherit");
    }

    private static String text(final Element parent, final String tag, final String absent)
    {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling())
        {
            if (n instanceof Element e && e.getTagName().equals(tag))
            {
                return e.getTextContent().trim();
            }
        }
        return absent;
    }
}

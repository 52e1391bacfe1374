import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Lists the top-level types of the Java sources jsii-pacmak generated (npm run jsii:pacmak), one "package.Name KIND"
 * a line, after parsing every file with the JDK's own compiler (javac's parser: a syntax error fails with exit 1).
 * Parsing only: compiling needs the jsii runtime, constructs and cdk8s jars from Maven Central, which cannot be
 * downloaded here. Usage: java scripts/jsii-java-types.java <pacmak java dir>
 */
public class JsiiJavaTypes {
  public static void main(String[] args) throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(Path.of(args[0], "src", "main", "java"))) {
      sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    }
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
      JavacTask task = (JavacTask) javac.getTask(null, files, diagnostics, List.of("-proc:none"), null,
          files.getJavaFileObjectsFromPaths(sources));
      StringBuilder out = new StringBuilder();
      for (CompilationUnitTree unit : task.parse()) {
        String pkg = unit.getPackageName() == null ? "" : unit.getPackageName().toString();
        for (Tree type : unit.getTypeDecls()) {
          if (type instanceof ClassTree) {
            out.append(pkg).append('.').append(((ClassTree) type).getSimpleName()).append(' ').append(type.getKind()).append('\n');
          }
        }
      }
      System.out.print(out);
    }
    long errors = diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).peek(System.err::println).count();
    System.err.println(sources.size() + " Java files parsed, " + errors + " error(s)");
    System.exit(errors > 0 ? 1 : 0);
  }
}

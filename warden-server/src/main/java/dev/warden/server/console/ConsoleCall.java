package dev.warden.server.console;

import dev.warden.server.admin.AdminPrincipal;
import dev.warden.server.admin.AuthException;
import dev.warden.server.admin.Scopes;
import dev.warden.server.http.Bodies;
import dev.warden.server.http.FormBody;
import gg.jte.html.HtmlTemplateOutput;
import gg.jte.html.OwaspHtmlTemplateOutput;
import gg.jte.output.Utf8ByteOutput;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One signed-in console request as a page sees it: the request and response, the session, the admin
 * (re-read from the store for this request), the form of a POST (already read for its CSRF check),
 * and how to answer with a page or a redirect.
 */
final class ConsoleCall {
  static final int MAX_FORM = 256 * 1024;

  final ServerRequest req;
  final ServerResponse res;
  final Sessions.Session session;
  final AdminPrincipal who;
  final ConsoleServices services;
  final Assets assets;
  private final long startedNanos;
  private @Nullable FormBody form;

  ConsoleCall(
      ServerRequest req,
      ServerResponse res,
      Sessions.Session session,
      AdminPrincipal who,
      ConsoleServices services,
      Assets assets,
      long startedNanos) {
    this.req = req;
    this.res = res;
    this.session = session;
    this.who = who;
    this.services = services;
    this.assets = assets;
    this.startedNanos = startedNanos;
  }

  /**
   * Checks that the admin's token holds {@code scope}: the same check as the {@code /v1} API's.
   *
   * @throws AuthException 403 naming the scope
   */
  void need(String scope) {
    if (!who.has(scope)) {
      throw new AuthException(
          403, "your admin token lacks the '" + scope + "' scope this page needs");
    }
  }

  /**
   * Pages that read the inventory index never wait for its first full read after start (a minute at
   * a million items): until it is done they answer 503 and say so.
   *
   * @throws dev.warden.server.http.BadRequestException 503 while the index is being built
   */
  void needIndex() {
    if (!services.inventory().ready()) {
      throw new dev.warden.server.http.BadRequestException(
          503,
          "The inventory index is still being built after start"
              + " (about a minute at a million items); reload this page in a moment.");
    }
  }

  /**
   * False once the session has ended or its admin token was revoked: a long response stops then.
   */
  boolean stillSignedIn() {
    return !session.ended && session.admin(services.adminTokens()).isPresent();
  }

  boolean isPost() {
    return req.prologue().method() == Method.POST;
  }

  /** True for an htmx request, which is answered with a fragment instead of a whole page. */
  boolean htmx() {
    return req.headers().first(HeaderNames.create("HX-Request")).isPresent();
  }

  /** A query parameter, or null when absent or empty. */
  @Nullable String param(String name) {
    String v = req.query().first(name).orElse(null);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** A form field of this POST, or null when absent or empty. */
  @Nullable String field(String name) {
    String v = form().optional(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /**
   * A required form field.
   *
   * @throws dev.warden.server.http.BadRequestException naming it when missing
   */
  String required(String name) {
    String v = field(name);
    if (v == null) {
      throw new dev.warden.core.error.ValidationException(name, "is required");
    }
    return v;
  }

  FormBody form() {
    FormBody f = form;
    if (f == null) {
      f = FormBody.parse(Bodies.read(req, MAX_FORM));
      form = f;
    }
    return f;
  }

  Instant now() {
    return services.clock().instant();
  }

  Frame frame(String title, String nav) {
    return new Frame(
        title,
        nav,
        who.label(),
        session.csrf,
        assets,
        session.takeFlash(),
        who.has(Scopes.POLICY_WRITE));
  }

  /** Answers 200 with a rendered template. */
  void page(Consumer<HtmlTemplateOutput> template) {
    send(200, template);
  }

  void send(int status, Consumer<HtmlTemplateOutput> template) {
    byte[] html = render(template);
    res.status(status);
    res.header("Content-Type", "text/html; charset=utf-8");
    timing();
    res.send(html);
  }

  /**
   * Answers an action with a redirect (303, so the browser GETs it) and a message for the next
   * page.
   */
  void redirect(String location, @Nullable String flash) {
    session.flash = flash;
    if (htmx()) {
      res.header("HX-Redirect", location);
      res.status(204);
      timing();
      res.send();
      return;
    }
    res.status(303);
    res.header("Location", location);
    timing();
    res.send();
  }

  void json(byte[] body, String filename) {
    res.status(200);
    res.header("Content-Type", "application/json");
    if (filename != null) {
      res.header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
    }
    timing();
    res.send(body);
  }

  /** Server time so far, for the browser's developer tools and the render benchmark. */
  private void timing() {
    res.header("Server-Timing", "render;dur=" + (System.nanoTime() - startedNanos) / 1000 / 1000.0);
  }

  static byte[] render(Consumer<HtmlTemplateOutput> template) {
    Utf8ByteOutput out = new Utf8ByteOutput();
    template.accept(new OwaspHtmlTemplateOutput(out));
    return out.toByteArray();
  }
}

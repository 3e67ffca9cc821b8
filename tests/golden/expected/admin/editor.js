/* The web editor's own script (served from the site with Decap CMS; see factcheck/cms.py).
 *
 * - The preview pane shows a claim as readers will see it: the verdict badge (rendered at build time by the badge
 *   template readers get), the summary, the quote, the analysis and the sources; and it says at once whether the
 *   quote is in the article word for word, with the build's normalisation (factcheck/anchor.py: every run of white
 *   space counts as one space, nothing else may differ).
 * - Before every save it puts the entry in the repository's YAML form (factcheck/yamlform.py): every mapping's keys
 *   in the schema's order (Decap orders only the top level, and its maps of more than eight keys come out in hash
 *   order), and optional fields left empty dropped (the build would refuse an empty text).
 * - The widget text_or_object, for a field that is a text or an object (a claimant: a person's name, or its name,
 *   type and url; factcheck/cms.py says which field the text stands for): Decap's own widgets hold one or the other.
 *
 * normalise, occurrences, tidy, textOrObject and textOrObjectProblem are pure and exported for
 * tests/test_editor_script.py, which holds them to the Python they mirror.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    api.start(root);
  }
})(typeof window !== "undefined" ? window : this, function () {
  "use strict";

  // Python's str.split() white space, exactly: anchor.normalise collapses runs of it (JavaScript's \s differs).
  var SPACE = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

  function normalise(text) {
    return String(text).split(SPACE).filter(function (part) { return part !== ""; }).join(" ");
  }

  // Every place the quote occurs in the article's (normalised) paragraphs, overlapping ones too (anchor.find).
  function occurrences(quote, paragraphs) {
    var needle = normalise(quote);
    var count = 0;
    paragraphs.forEach(function (text) {
      var at = text.indexOf(needle);
      while (at !== -1) {
        count += 1;
        // Python's find gives up past the end; indexOf stays at the end (an empty needle would never stop).
        at = at + 1 > text.length ? -1 : text.indexOf(needle, at + 1);
      }
    });
    return count;
  }

  // What the build will say about the quote (anchor.anchor_claims), as {state, message}.
  function quoteCheck(quote, occurrence, article) {
    if (!article) {
      return { state: "unknown", message: "Checking the quote against the article…" };
    }
    if (article.missing) {
      return { state: "unknown", message: "This article is not published yet, so the quote cannot be checked here; " +
        "the pull request's check will." };
    }
    if (!normalise(quote)) {
      return { state: "missing", message: "No quote yet: copy the passage from the article, word for word." };
    }
    var found = occurrences(quote, article.paragraphs);
    if (found === 0) {
      return { state: "missing", message: "The quote is not in the article word for word (spaces and line breaks " +
        "aside): the build will refuse it. Copy it from the article, curly quotes included." };
    }
    if (found > 1 && !occurrence) {
      return { state: "ambiguous", message: "The quote occurs " + found + " times in the article: set " +
        "Occurrence to say which one is meant." };
    }
    if ((occurrence || 1) > found) {
      return { state: "ambiguous", message: "Occurrence " + occurrence + " is asked, but the quote occurs " + found +
        " time(s)." };
    }
    return { state: "found", message: "The quote is in the article, word for word." };
  }

  function isEmpty(value) {
    if (value === null || value === undefined || value === "") {
      return true;
    }
    return typeof value.size === "number" && value.size === 0 && typeof value.toJS === "function";
  }

  function isList(value) {
    return value && typeof value.push === "function" && typeof value.toJS === "function";
  }

  function isMap(value) {
    return value && typeof value.toOrderedMap === "function" && !isList(value);
  }

  // An Immutable map with its keys in the order of `shape` (fields the schema does not know follow, in their own
  // order) and empty optional fields dropped, recursively; lists of maps tidied item by item.
  function tidy(map, shape) {
    var known = {};
    var out = map.toOrderedMap().clear();
    shape.forEach(function (field) {
      known[field.name] = true;
      if (!map.has(field.name)) {
        return;
      }
      var value = map.get(field.name);
      if (field.fields && isList(value)) {
        value = value.map(function (item) { return isMap(item) ? tidy(item, field.fields) : item; });
      } else if (field.fields && isMap(value)) {
        value = tidy(value, field.fields);
      }
      if (isEmpty(value) && !field.required) {
        return;
      }
      out = out.set(field.name, value);
    });
    map.forEach(function (value, key) {
      if (!known[key]) {
        out = out.set(key, value);
      }
    });
    return out;
  }

  // The value of a text_or_object field once its part `key` is `part`. A text stays a text while only its own field
  // (`textField`) is filled; filling another makes it an object, and emptying all the others a text again, so an
  // entry keeps the form it was written in. `empty`: an empty Immutable map (Decap lends the script no constructor).
  function textOrObject(value, textField, key, part, empty) {
    var map = isMap(value) ? value : empty.set(textField, isEmpty(value) ? "" : String(value));
    map = isEmpty(part) ? map.delete(key) : map.set(key, part);
    var others = map.filter(function (item, name) { return name !== textField && !isEmpty(item); });
    if (others.size > 0) {
      return map;
    }
    return isEmpty(map.get(textField)) ? "" : map.get(textField);
  }

  // What is wrong with a text_or_object value for the form (null when nothing): a required part left empty, or a
  // part that does not match its field's pattern ([regex, what it asks for], as Decap's own fields carry it).
  function textOrObjectProblem(value, textField, parts) {
    if (isEmpty(value)) {
      return null;
    }
    for (var i = 0; i < parts.length; i += 1) {
      var part = parts[i];
      var given = isMap(value) ? value.get(part.name) : part.name === textField ? value : undefined;
      if (isEmpty(given)) {
        if (part.required && isMap(value)) {
          var filled = parts.filter(function (p) { return p.name !== part.name && !isEmpty(value.get(p.name)); });
          return part.label + " is required when " + filled.map(function (p) { return p.label; }).join(" and ") +
            (filled.length > 1 ? " are" : " is") + " given.";
        }
      } else if (part.pattern && !new RegExp(part.pattern[0]).test(String(given))) {
        return part.label + " must be " + part.pattern[1] + ".";
      }
    }
    return null;
  }

  function start(window) {
    var CMS = window.CMS;
    var h = window.h;
    var createClass = window.createClass;
    var data = JSON.parse(window.document.getElementById("fc-editor-data").textContent);
    var base = window.document.baseURI;
    var articles = {};

    function article(slug, done) {
      if (!articles[slug]) {
        articles[slug] = window.fetch(new URL("articles/" + slug + ".json", base).href)
          .then(function (response) { return response.ok ? response.json() : { missing: true }; })
          .catch(function () { return { missing: true }; });
      }
      articles[slug].then(done);
    }

    function text(value) {
      return value === undefined || value === null ? "" : String(value);
    }

    function sourceItem(source, index) {
      var cite = [text(source.get("publisher")), text(source.get("title")), text(source.get("published"))]
        .filter(Boolean).join(" · ");
      var parts = [h("p", { key: "cite", className: "fc-source__cite" }, cite || text(source.get("url")))];
      if (source.get("excerpt")) {
        parts.push(h("blockquote", { key: "excerpt", className: "fc-source__excerpt" },
          h("p", null, text(source.get("excerpt")))));
      }
      if (source.get("translation")) {
        parts.push(h("p", { key: "translation", className: "fc-source__translation" },
          "Our translation: " + text(source.get("translation"))));
      }
      parts.push(h("p", { key: "link", className: "fc-source__link" }, text(source.get("url"))));
      return h("li", { key: index }, parts);
    }

    // Who said it, as the claim page shows it: the claimant's name, or the article's author or publisher.
    function claimant(value) {
      var name = isMap(value) ? value.get("name") : value;
      return isEmpty(name) ? "the article's author or publisher" : text(name);
    }

    function topics(value) {
      return value && value.size ? value.map(function (key) { return data.topics[key] || text(key); }).join(", ") : "";
    }

    var TextOrObject = createClass({
      parts: function () { return this.props.field.get("fields").toJS(); },
      isValid: function () {
        var problem = textOrObjectProblem(this.props.value, this.props.field.get("text_field"), this.parts());
        return problem ? { error: { message: problem } } : true;
      },
      change: function (key, part) {
        var props = this.props;
        props.onChange(textOrObject(props.value, props.field.get("text_field"), key, part,
          props.entry.get("data").clear()));
      },
      render: function () {
        var self = this;
        var props = this.props;
        var textField = props.field.get("text_field");
        var value = props.value;
        return h("div", { className: props.classNameWrapper, onFocus: props.setActiveStyle,
          onBlur: props.setInactiveStyle }, this.parts().map(function (part) {
          // The text's own input takes the field's id, so Decap's label for the whole field points at it.
          var id = part.name === textField ? props.forID : props.forID + "-" + part.name;
          var shown = text(isMap(value) ? value.get(part.name) : part.name === textField ? value : "");
          var onChange = function (event) { self.change(part.name, event.target.value); };
          var control = part.options ? h("select", { id: id, value: shown, onChange: onChange },
            [h("option", { key: "", value: "" }, "")].concat(part.options.map(function (option) {
              var key = typeof option === "object" ? option.value : option;
              return h("option", { key: key, value: key }, typeof option === "object" ? option.label : option);
            }))) : h("input", { id: id, type: "text", value: shown, onChange: onChange });
          return h("p", { key: part.name, className: "fc-part" }, h("label", { htmlFor: id }, part.label), " ",
            control, part.hint ? h("small", { className: "fc-part__hint" }, " " + part.hint) : null);
        }));
      }
    });

    function claimPreview(slug) {
      return createClass({
        getInitialState: function () { return { article: null }; },
        componentDidMount: function () {
          var self = this;
          article(slug, function (loaded) { self.setState({ article: loaded }); });
        },
        render: function () {
          var entry = this.props.entry.get("data");
          var rating = data.scale[entry.get("verdict")];
          var check = quoteCheck(text(entry.get("quote")), entry.get("occurrence"), this.state.article);
          var sources = entry.get("sources");
          return h("div", { className: "fc-preview md-typeset" },
            h("p", { className: "fc-quote-check fc-quote-check--" + check.state, role: "status" }, check.message),
            h("div", { className: "fc-verdict" },
              rating ? h("p", { dangerouslySetInnerHTML: { __html: rating.badge } })  // built from the scale
                : h("p", { className: "fc-preview__missing" }, "No verdict chosen yet."),
              h("p", { className: "fc-summary" }, text(entry.get("summary")))),
            h("h1", null, text(entry.get("claim"))),
            h("p", { className: "fc-claimant" }, "Who said it: " + claimant(entry.get("claimant"))),
            topics(entry.get("topics")) ? h("p", { className: "fc-topics" }, "Topics: " + topics(entry.get("topics")))
              : null,
            h("blockquote", { className: "fc-quote" }, h("p", null, text(entry.get("quote")))),
            entry.get("analysis") ? h("h2", null, "Analysis") : null,
            entry.get("analysis") ? this.props.widgetFor("analysis") : null,
            sources && sources.size ? h("h2", null, "Sources") : null,
            sources && sources.size ? h("ol", { className: "fc-sources" }, sources.map(sourceItem).toArray()) : null);
        }
      });
    }

    CMS.registerWidget("text_or_object", TextOrObject);
    CMS.registerPreviewStyle(new URL("../assets/stylesheets/ratings.css", base).href);
    CMS.registerPreviewStyle(new URL("../assets/stylesheets/factcheck.css", base).href);
    CMS.registerPreviewStyle(new URL("preview.css", base).href);
    Object.keys(data.collections).forEach(function (name) {
      var collection = data.collections[name];
      if (collection.kind === "claim") {
        CMS.registerPreviewTemplate(name, claimPreview(collection.article));
      }
    });
    CMS.registerEventListener({
      name: "preSave",
      handler: function (event) {
        var collection = data.collections[event.entry.get("collection")];
        return collection ? tidy(event.entry.get("data"), data.shapes[collection.kind]) : undefined;
      }
    });
  }

  return { normalise: normalise, occurrences: occurrences, quoteCheck: quoteCheck, tidy: tidy,
    textOrObject: textOrObject, textOrObjectProblem: textOrObjectProblem, start: start };
});

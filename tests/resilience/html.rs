//! Just enough reading of Remiss's pages: the controls of a form as a browser
//! would send them, the links on a page, and its text.

/// The attributes of one tag (`<input type="hidden" name="x" value="y">`),
/// names in lower case, values unescaped.
pub fn attributes(tag: &str) -> Vec<(String, String)> {
    let inner = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    // Past the tag's name.
    let mut rest = inner.trim_start_matches(|c: char| !c.is_whitespace());
    let mut attributes = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return attributes;
        }
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, remainder) = match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(quote).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            rest = remainder;
            unescape(value)
        } else {
            String::new()
        };
        attributes.push((name, value));
    }
}

fn attribute<'a>(attributes: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Every tag named `name` in `html`: (its start, the whole tag).
fn tags<'a>(html: &'a str, name: &str) -> Vec<(usize, &'a str)> {
    let open = format!("<{name}");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = html[from..].find(&open).map(|i| i + from) {
        let after = html[at + open.len()..].chars().next();
        let end = html[at..].find('>').map_or(html.len(), |i| at + i + 1);
        if after.is_some_and(|c| c.is_whitespace() || c == '>' || c == '/') {
            found.push((at, &html[at..end]));
        }
        from = end.max(at + 1);
    }
    found
}

/// What a browser sends for each form on the page that posts to `action`, in
/// page order: hidden and filled inputs, checked boxes and radios, each select's
/// chosen option, textareas. Buttons are left out (the caller says which one was
/// pressed).
pub fn forms_to(html: &str, action: &str) -> Vec<Vec<(String, String)>> {
    tags(html, "form")
        .into_iter()
        .filter(|(_, tag)| attribute(&attributes(tag), "action") == Some(action))
        .map(|(start, tag)| controls(html, start, tag))
        .collect()
}

fn controls(html: &str, start: usize, tag: &str) -> Vec<(String, String)> {
    let body_start = start + tag.len();
    let end = html[body_start..]
        .find("</form>")
        .map_or(html.len(), |i| body_start + i);
    let form = &html[body_start..end];
    let mut controls: Vec<(usize, String, String)> = Vec::new();
    for (at, tag) in tags(form, "input") {
        let attrs = attributes(tag);
        let Some(name) = attribute(&attrs, "name") else {
            continue;
        };
        let kind = attribute(&attrs, "type")
            .unwrap_or("text")
            .to_ascii_lowercase();
        let checked = attrs.iter().any(|(n, _)| n == "checked");
        let sent = match kind.as_str() {
            "submit" | "button" | "image" | "reset" | "file" => false,
            "checkbox" | "radio" => checked,
            _ => true,
        };
        if sent {
            let default = if kind == "checkbox" || kind == "radio" {
                "on"
            } else {
                ""
            };
            let value = attribute(&attrs, "value").unwrap_or(default);
            controls.push((at, name.to_string(), value.to_string()));
        }
    }
    for (at, tag) in tags(form, "textarea") {
        let attrs = attributes(tag);
        let Some(name) = attribute(&attrs, "name") else {
            continue;
        };
        let content_start = at + tag.len();
        let content_end = form[content_start..]
            .find("</textarea>")
            .map_or(form.len(), |i| content_start + i);
        // A browser drops one newline right after the opening tag.
        let content = form[content_start..content_end]
            .strip_prefix('\n')
            .unwrap_or(&form[content_start..content_end]);
        controls.push((at, name.to_string(), unescape(content)));
    }
    for (at, tag) in tags(form, "select") {
        let attrs = attributes(tag);
        let Some(name) = attribute(&attrs, "name") else {
            continue;
        };
        let options_start = at + tag.len();
        let options_end = form[options_start..]
            .find("</select>")
            .map_or(form.len(), |i| options_start + i);
        let options = &form[options_start..options_end];
        let mut chosen = None;
        for (option_at, option) in tags(options, "option") {
            let option_attrs = attributes(option);
            let value = match attribute(&option_attrs, "value") {
                Some(value) => value.to_string(),
                None => {
                    let text_start = option_at + option.len();
                    let text_end = options[text_start..]
                        .find('<')
                        .map_or(options.len(), |i| text_start + i);
                    unescape(options[text_start..text_end].trim())
                }
            };
            let selected = option_attrs.iter().any(|(n, _)| n == "selected");
            if chosen.is_none() || selected {
                chosen = Some(value);
            }
            if selected {
                break;
            }
        }
        if let Some(value) = chosen {
            controls.push((at, name.to_string(), value));
        }
    }
    controls.sort_by_key(|(at, _, _)| *at);
    controls
        .into_iter()
        .map(|(_, name, value)| (name, value))
        .collect()
}

/// The actions of every form on the page that posts.
pub fn post_actions(html: &str) -> Vec<String> {
    tags(html, "form")
        .into_iter()
        .filter_map(|(_, tag)| {
            let attrs = attributes(tag);
            let post = attribute(&attrs, "method").is_some_and(|m| m.eq_ignore_ascii_case("post"));
            post.then(|| attribute(&attrs, "action").map(str::to_string))
                .flatten()
        })
        .collect()
}

/// The value of the first input named `name`.
pub fn first_value(html: &str, name: &str) -> Option<String> {
    tags(html, "input").into_iter().find_map(|(_, tag)| {
        let attrs = attributes(tag);
        (attribute(&attrs, "name") == Some(name))
            .then(|| attribute(&attrs, "value").unwrap_or("").to_string())
    })
}

/// The site's own links (`href="/..."`), without their fragment.
pub fn links(html: &str) -> Vec<String> {
    tags(html, "a")
        .into_iter()
        .filter_map(|(_, tag)| {
            let attrs = attributes(tag);
            let href = attribute(&attrs, "href")?;
            let href = href.split('#').next().unwrap_or("");
            (href.starts_with('/') && !href.starts_with("//")).then(|| href.to_string())
        })
        .collect()
}

/// Reads the character references askama writes, and the common named ones.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_read_as_a_browser_sends_it() {
        let page = r#"<form method="post" action="/x"><input type="hidden" name="csrf_token" value="a&amp;b">
            <input name="title" type="text" value="T"><input type="checkbox" name="c" value="1">
            <input type="checkbox" name="d" value="2" checked><select name="s"><option value="1">a</option>
            <option value="2" selected>b</option></select><textarea name="t" rows="3">
x &lt; y</textarea><button type="submit" name="action" value="save">Spara</button></form>"#;
        assert_eq!(
            forms_to(page, "/x")[0],
            [
                ("csrf_token", "a&b"),
                ("title", "T"),
                ("d", "2"),
                ("s", "2"),
                ("t", "x < y")
            ]
            .map(|(n, v)| (n.to_string(), v.to_string()))
        );
        assert!(forms_to(page, "/y").is_empty());
        assert_eq!(post_actions(page), ["/x"]);
    }
}

#include "core/json_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

#include "core/input_error.h"

namespace keycomp {
namespace {

using Json = nlohmann::json;

// Deepest nesting of arrays and objects accepted: far beyond any comparison, model or report
// configuration, and shallow enough that no recursive walk of the document can exhaust the stack.
constexpr std::size_t kMaxJsonDepth = 64;

// Line (1-based) of the character before byte offset `position` of `text`.
std::size_t LineAt(const std::string& text, std::size_t position) {
  const std::size_t upto = std::min<std::size_t>(position > 0 ? position - 1 : 0, text.size());
  return 1 + static_cast<std::size_t>(
                 std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(upto), '\n'));
}

// Builds the document with nlohmann's own DOM builder and records the text of each number on
// the side, under the JSON pointer of the value. Only the float event carries the text; an
// integer's text is its decimal form (JSON allows no '+' or leading zeros).
// It refuses (InputError) what the DOM builder would take silently or crash on: a key repeated in
// one object (the last would win), nesting deeper than kMaxJsonDepth, and numbers beyond the
// range of double.
class TextKeepingParser {
 public:
  TextKeepingParser(Json& root, JsonNumberTexts& texts, const std::string& text,
                    const std::string& source)
      : dom_(root), texts_(texts), text_(text), source_(source) {}

  bool null() {
    Enter();
    return dom_.null();
  }
  bool boolean(bool v) {
    Enter();
    return dom_.boolean(v);
  }
  bool number_integer(std::int64_t v) {
    Keep(std::to_string(v));
    return dom_.number_integer(v);
  }
  bool number_unsigned(std::uint64_t v) {
    Keep(std::to_string(v));
    return dom_.number_unsigned(v);
  }
  bool number_float(double v, const std::string& text) {
    Keep(text);
    return dom_.number_float(v, text);
  }
  bool string(std::string& v) {
    Enter();
    return dom_.string(v);
  }
  bool binary(Json::binary_t& v) {
    Enter();
    return dom_.binary(v);
  }
  bool start_object(std::size_t n) {
    Push(false);
    return dom_.start_object(n);
  }
  bool key(std::string& k) {
    Frame& f = frames_.back();
    if (!f.keys.insert(k).second) {
      throw InputError(source_, 0, JsonPointerChild(f.pointer, k),
                       fmt::format("duplicate key '{:.60}' in one object", k));
    }
    f.key = k;
    return dom_.key(k);
  }
  bool end_object() {
    frames_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    Push(true);
    return dom_.start_array(n);
  }
  bool end_array() {
    frames_.pop_back();
    return dom_.end_array();
  }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& e) {
    if constexpr (std::is_same_v<Exception, nlohmann::detail::out_of_range>) {
      // The one out-of-range error of the parser: a number beyond the range of double.
      throw InputError(source_, LineAt(text_, position), Enter(),
                       fmt::format("number '{:.24}{}' is out of the range of double", token,
                                   token.size() > 24 ? "..." : ""));
    }
    return dom_.parse_error(position, token, e);
  }

 private:
  struct Frame {
    std::string pointer;
    bool array = false;
    std::size_t next = 0;        ///< index of the array's next element
    std::string key;             ///< the object's current key
    std::set<std::string> keys;  ///< the object's keys so far
  };

  void Push(bool array) {
    std::string pointer = Enter();
    if (frames_.size() >= kMaxJsonDepth) {
      throw InputError(
          source_, 0, pointer.substr(0, 80),
          fmt::format("arrays and objects nested deeper than {} levels", kMaxJsonDepth));
    }
    frames_.push_back({std::move(pointer), array, 0, {}, {}});
  }

  // The JSON pointer of the value that starts now (an array counts it).
  std::string Enter() {
    if (frames_.empty()) return "";
    Frame& f = frames_.back();
    if (f.array) return f.pointer + "/" + std::to_string(f.next++);
    return JsonPointerChild(f.pointer, f.key);
  }
  void Keep(std::string text) { texts_[Enter()] = std::move(text); }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  JsonNumberTexts& texts_;
  const std::string& text_;
  const std::string& source_;
  std::vector<Frame> frames_;
};

}  // namespace

std::string JsonPointerChild(const std::string& parent, const std::string& key) {
  std::string pointer = parent + "/";
  for (char c : key) pointer += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return pointer;
}

nlohmann::json ParseJsonInput(const std::string& text, const std::string& source,
                              const std::string& message, JsonNumberTexts* number_texts) {
  JsonNumberTexts unused;
  try {
    Json root;
    TextKeepingParser parser(root, number_texts != nullptr ? *number_texts : unused, text, source);
    Json::sax_parse(text, &parser);
    return root;
  } catch (const Json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    throw InputError(source, LineAt(text, e.byte), "",
                     message.empty() ? fmt::format("invalid JSON ({})", e.what()) : message);
  }
}

}  // namespace keycomp

#include "core/json_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/input_error.h"

namespace keycomp {
namespace {

using Json = nlohmann::json;

// Builds the document with nlohmann's own DOM builder and records the text of each number on
// the side, under the JSON pointer of the value. Only the float event carries the text; an
// integer's text is its decimal form (JSON allows no '+' or leading zeros).
class TextKeepingParser {
 public:
  TextKeepingParser(Json& root, JsonNumberTexts& texts) : dom_(root), texts_(texts) {}

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
    frames_.push_back({Enter(), false, 0, {}});
    return dom_.start_object(n);
  }
  bool key(std::string& k) {
    frames_.back().key = k;
    return dom_.key(k);
  }
  bool end_object() {
    frames_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    frames_.push_back({Enter(), true, 0, {}});
    return dom_.start_array(n);
  }
  bool end_array() {
    frames_.pop_back();
    return dom_.end_array();
  }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& e) {
    return dom_.parse_error(position, token, e);
  }

 private:
  struct Frame {
    std::string pointer;
    bool array = false;
    std::size_t next = 0;  ///< index of the array's next element
    std::string key;       ///< the object's current key
  };

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
  try {
    if (number_texts == nullptr) return Json::parse(text);
    Json root;
    TextKeepingParser parser(root, *number_texts);
    Json::sax_parse(text, &parser);
    return root;
  } catch (const Json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character: count the line breaks
    // before that character.
    const std::size_t upto = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    const auto breaks =
        std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(upto), '\n');
    throw InputError(source, 1 + static_cast<std::size_t>(breaks), "",
                     message.empty() ? fmt::format("invalid JSON ({})", e.what()) : message);
  }
}

}  // namespace keycomp

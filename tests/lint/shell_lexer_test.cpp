#include "lint/shell_lexer.h"

#include <gtest/gtest.h>

#include "lint/shell_script.h"

namespace hostward::lint {
namespace {

std::vector<std::string> words(std::string_view script) {
  std::vector<std::string> out;
  for (const auto& t : tokenize_shell(script).tokens)
    out.push_back(t.kind == ShellToken::Kind::word ? t.word.text : "<" + t.op + ">");
  return out;
}

using V = std::vector<std::string>;

TEST(ShellLexer, QuotesAreRemovedAndVariablesKeptSymbolic) {
  EXPECT_EQ(words(R"(docker run -p "${PG_PORT}:5432" -e 'A=b c' x\ y)"),
            (V{"docker", "run", "-p", "${PG_PORT}:5432", "-e", "A=b c", "x y"}));
  EXPECT_EQ(words(R"(echo "a \"b\" \$c $HOME")"), (V{"echo", R"(a "b" $c $HOME)"}));
  EXPECT_EQ(words(R"(echo $'a\tb')"), (V{"echo", "a\tb"}));
}

TEST(ShellLexer, LineContinuationsJoinOneCommand) {
  EXPECT_EQ(words("docker run \\\n  -p 80:80 \\\n  nginx\n"),
            (V{"docker", "run", "-p", "80:80", "nginx", "<\n>"}));
}

TEST(ShellLexer, CommentsAndOperators) {
  EXPECT_EQ(words("a # b | c\nd&&e||f;g|h 2>&1 >/dev/null &"),
            (V{"a", "<\n>", "d", "<&&>", "e", "<||>", "f", "<;>", "g", "<|>", "h", "<2>&1>", "<>>",
               "/dev/null", "<&>"}));
  EXPECT_EQ(words("echo a#b"), (V{"echo", "a#b"}));  // '#' inside a word is not a comment
}

TEST(ShellLexer, SubstitutionsStayInTheirWordAndAreKept) {
  const auto t = tokenize_shell(R"x(bash <(curl -s https://x/i.sh) "$(wget -O- y)" `id`)x");
  ASSERT_EQ(t.tokens.size(), 4u);
  EXPECT_TRUE(t.tokens[1].word.process_substitution);
  EXPECT_EQ(t.tokens[1].word.substitutions, (V{"curl -s https://x/i.sh"}));
  EXPECT_EQ(t.tokens[2].word.substitutions, (V{"wget -O- y"}));
  EXPECT_EQ(t.tokens[3].word.substitutions, (V{"id"}));
}

TEST(ShellLexer, AzureMacrosAndGithubExpressionsAreNotSubstitutions) {
  const auto t = tokenize_shell(R"(docker run -p $(PG_PORT):5432 -e X=${{ secrets.PW }} img)");
  for (const auto& tok : t.tokens) EXPECT_TRUE(tok.word.substitutions.empty()) << tok.word.text;
  EXPECT_EQ(words("echo ${{ a }} $(Build.SourcesDirectory)"),
            (V{"echo", "${{ a }}", "$(Build.SourcesDirectory)"}));
}

TEST(ShellLexer, HereDocumentBodiesAreNotCommands) {
  EXPECT_EQ(words("cat <<EOF > f\ndocker run -p 1:1 x\nEOF\nls\n"),
            (V{"cat", "<<<>", "EOF", "<>>", "f", "<\n>", "ls", "<\n>"}));
  EXPECT_EQ(words("cat <<-'END'\n\tdocker run\n\tEND\nls"),
            (V{"cat", "<<<->", "END", "<\n>", "ls"}));
}

TEST(ShellLexer, UnterminatedQuotesRunToTheEnd) {
  EXPECT_EQ(words("echo \"abc"), (V{"echo", "abc"}));
  EXPECT_EQ(words("echo 'abc"), (V{"echo", "abc"}));
  EXPECT_EQ(words("echo $(abc"), (V{"echo", "$(abc"}));
  EXPECT_EQ(words("echo ${abc"), (V{"echo", "${abc"}));
}

TEST(ShellLexer, WordOffsetsPointIntoTheScript) {
  const std::string s = "  docker  run -p \"1:2\"";
  const auto t = tokenize_shell(s);
  ASSERT_EQ(t.tokens.size(), 4u);
  EXPECT_EQ(s.substr(t.tokens[3].word.begin, t.tokens[3].word.end - t.tokens[3].word.begin),
            "\"1:2\"");
}

TEST(ShellLexer, TokenCapStopsAndSaysSo) {
  std::string s;
  for (int i = 0; i < 1000; ++i) s += "a ";
  const auto t = tokenize_shell(s, 100);
  EXPECT_TRUE(t.truncated);
  EXPECT_EQ(t.tokens.size(), 100u);
}

std::vector<V> commands(std::string_view script) {
  const auto tokens = tokenize_shell(script);
  std::vector<V> out;
  for (const auto& p : split_pipelines(tokens)) {
    for (const auto& c : p.commands) {
      V words;
      const size_t prog = program_index(c);
      for (size_t i = prog; i < c.words.size(); ++i) words.push_back(c.words[i]->text);
      out.push_back(words);
    }
  }
  return out;
}

TEST(ShellScript, WrappersAssignmentsAndRedirectionsAreSkipped) {
  EXPECT_EQ(commands("FOO=1 sudo -E -u ci env A=b timeout -s KILL 60 docker run x > log 2>&1"),
            (std::vector<V>{{"docker", "run", "x"}}));
  EXPECT_EQ(commands("if docker run a; then nohup nice -n 5 b & fi"),
            (std::vector<V>{{"docker", "run", "a"}, {"b"}}));
  EXPECT_EQ(commands("curl -s u | sudo bash -"),
            (std::vector<V>{{"curl", "-s", "u"}, {"bash", "-"}}));
}

}  // namespace
}  // namespace hostward::lint
